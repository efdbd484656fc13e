"""A sentiment hook for tests: what the sentiment issue will plug into triage."""


def angry_is_p2(text: str, language: str) -> str | None:
    return "P2" if "INADMISSIBLE" in text else None
