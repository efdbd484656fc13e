"""Adversarial suite helpers, and the hook that turns attack/fault markers into a figure.

Every test marked ``@pytest.mark.attack(cls, ref)`` or ``@pytest.mark.fault(ref)`` that ran (in any
directory) is counted; at session end ``bench/results/adversarial.json`` gets, per class, how many
tests and how many cases (a case passes only if every one of its tests passes) passed. Only a full
run (the README's test command: no paths, no ``-k``/``-m``/``-x``, nothing deselected) writes that
tracked file; any partial run writes ``test-results/adversarial.json`` (ignored by git) instead, so
a partial count never replaces the committed figure.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from urllib.parse import urljoin, urlsplit

import pytest
from django.test import Client
from django.utils.html import escape

PAYLOADS = [
    "<img src=x onerror=alert(1)>",
    "<script>alert(1)</script>",
    '"><svg onload=alert(1)>',
    "'><iframe src=javascript:alert(1)></iframe>",
]
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class _Adversarial:
    def __init__(self) -> None:
        self.meta: dict[str, tuple[str, str, str]] = {}
        self.ran: set[str] = set()
        self.failed: set[str] = set()
        self.deselected = False

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item, call):  # type: ignore[no-untyped-def]
        report = yield
        marker = item.get_closest_marker("attack") or item.get_closest_marker("fault")
        if marker is not None:
            if marker.name == "attack":
                self.meta[item.nodeid] = ("attacks", str(marker.args[0]), str(marker.args[1]))
            else:
                self.meta[item.nodeid] = ("faults", "fault", str(marker.args[0]))
            if report.when == "call" and not report.skipped:
                self.ran.add(item.nodeid)
            if report.failed:
                self.failed.add(item.nodeid)
        return report

    def pytest_deselected(self, items) -> None:  # type: ignore[no-untyped-def]
        self.deselected = True

    def pytest_sessionfinish(self, session) -> None:  # type: ignore[no-untyped-def]
        ran = self.ran | (self.failed & set(self.meta))
        if not ran:
            return
        out: dict = {"attacks": {}, "faults": {}}
        cases: dict = defaultdict(list)
        for nodeid in sorted(ran):
            kind, cls, ref = self.meta[nodeid]
            ok = nodeid not in self.failed
            entry = out[kind].setdefault(cls, {"tests_passed": 0, "tests": 0, "cases_passed": 0, "cases": 0})
            entry["tests"] += 1
            entry["tests_passed"] += int(ok)
            cases[(kind, cls, ref)].append(ok)
        for (kind, cls, _ref), oks in cases.items():
            out[kind][cls]["cases"] += 1
            out[kind][cls]["cases_passed"] += int(all(oks))
        folder = ("bench", "results") if self.full_run(session) else ("test-results",)
        path = session.config.rootpath.joinpath(*folder, "adversarial.json")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(out, indent=2, sort_keys=True) + "\n")

    def full_run(self, session) -> bool:  # type: ignore[no-untyped-def]
        """The whole suite as the README runs it, and it was not stopped early."""
        config = session.config
        option = config.option
        return (
            config.args_source == pytest.Config.ArgsSource.TESTPATHS
            and not (option.keyword or option.markexpr or getattr(option, "lf", False) or option.maxfail)
            and not self.deselected
            and not session.shouldstop
        )


def pytest_configure(config) -> None:  # type: ignore[no-untyped-def]
    if not config.pluginmanager.has_plugin("comptoir-adversarial"):
        config.pluginmanager.register(_Adversarial(), "comptoir-adversarial")


# --- helpers ------------------------------------------------------------------------------------


def assert_escaped(html: str, payload: str) -> None:
    """The payload is shown (escaped), never as live markup."""
    assert payload not in html, f"raw payload reflected: {payload!r}"
    assert escape(payload) in html, f"payload not rendered at all: {payload!r}"


def form_data(**over) -> dict:  # type: ignore[no-untyped-def]
    import uuid

    data = {
        "name": "Élodie Tremblay",
        "email": "elodie@example.test",
        "subject": "Facture incorrecte",
        "description": "Bonjour, ma facture est fausse.",
        "submission_id": uuid.uuid4().hex,
    }
    data.update(over)
    return data


def token_from(response) -> str:  # type: ignore[no-untyped-def]
    return response["Location"].rstrip("/").rsplit("/", 1)[-1]


def stays_on_site(location: str, base: str = "http://testserver/desk/login/") -> bool:
    # Browsers treat a backslash like a slash and ignore tabs/newlines in URLs.
    cleaned = re.sub(r"[\t\r\n]", "", location).replace("\\", "/")
    target = urlsplit(urljoin(base, cleaned))
    return target.netloc == "testserver" and target.scheme in ("http", "")


@pytest.fixture(autouse=True)
def _english_by_default():  # type: ignore[no-untyped-def]
    """A French request earlier in the run must not change what direct service calls say."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def plain_user(db):  # type: ignore[no-untyped-def]
    """A logged-in-capable account that is not an agent (nor superuser)."""
    from comptoir.accounts.models import User

    return User.objects.create_user(email="plain@example.test", password="plain-password-1")


@pytest.fixture
def raw_client() -> Client:
    """Unauthenticated, and a server error is a 500 response rather than an exception."""
    return Client(raise_request_exception=False)
