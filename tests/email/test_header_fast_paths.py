"""The parser's shortcuts for plain headers read what the modern parser reads (issue 9, target 2).

``parsing.py`` skips the standard library's modern header parser (a third of a common message's
parsing) for the plainest From/To/Cc mailboxes, Date values and Content-Type/Content-Disposition
parameters. Over every message of the corpus, our own cases, the torture set and hand-made edge
cases, each shortcut taken must give exactly the modern parser's answer.
"""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import parsedate_to_datetime

import pytest

from comptoir.channels.email import parsing

from . import fixtures, torture
from .test_corpus import corpus

EDGE_FROMS = [
    "a@b.c", "Jean Dupont <jean@x.fr>", "o'neil@x.com", "A B  <a@b.c>", "x.y+z@sub.dom.org",
    "a@b.c, Marie <m@x.fr>", "weird!#$%&'*+/=?^_`{|}~-@x.y", "a..b@x.y", ".a@x.y", "a@x..y",
    "Name <a@b.c> ", " a@b.c", "a = b <x@y.z>", "Q=3F <x@y.z>", "a@b.c,", "'q' <q@x.y>",
    "=?utf-8?q?Andr=C3=A9?= <a@x.y>", "J. Smith <j@x.y>", '"Smith, J" <j@x.y>', "<a@b.c>",
]  # fmt: skip


def _messages() -> list[bytes]:
    made = [
        f"From: {v}\nTo: {v}\nCc: {v}\nDate: Sat, 28 Nov 2026 18:22:56 +0000\n\nhi\n".encode()
        for v in EDGE_FROMS
    ]
    return [*corpus().values(), *fixtures.own_cases().values(), *torture.torture_cases().values(), *made]


def _modern_mailboxes(heads: parsing._Headers, name: str) -> list[tuple[str, str]] | str:
    found: list[tuple[str, str]] = []
    try:
        for value in heads.all(name):
            if value.defects:
                return "defects"
            found += [(a.display_name or "", a.addr_spec) for a in value.addresses]
    except Exception as exc:
        return f"refused: {exc}"
    return found


def _modern_param(part: EmailMessage, header: str, param: str) -> object:
    value = next(v for k, v in part.raw_items() if k.lower() == header)
    modern = EmailMessage(policy=parsing.MODERN)
    modern.set_raw(header, parsing.MODERN.header_fetch_parse(header, value[: parsing.MAX_HEADER_CHARS]))
    return modern.get_param(param, None, header)


@pytest.mark.parametrize("raw", _messages(), ids=lambda raw: str(len(raw)))
def test_each_shortcut_reads_what_the_modern_parser_reads(raw: bytes) -> None:
    try:
        tree, _limits, _incomplete = parsing.read_mime(raw)
    except Exception:
        return  # what read_mime refuses never reaches the shortcuts
    heads = parsing._Headers(tree)
    for name in ("From", "To", "Cc"):
        simple = heads.simple_mailboxes(name)
        if simple is not None and name.lower() in heads.raw:
            assert simple == _modern_mailboxes(heads, name), name
    modern_date = heads.text("Date") or None
    try:
        modern_date = parsedate_to_datetime(modern_date).isoformat() if modern_date else None
    except (TypeError, ValueError):
        modern_date = None
    assert heads.date() == modern_date
    for part in parsing.parts_of(tree):
        for header in ("content-type", "content-disposition"):
            value = next((v for k, v in part.raw_items() if k.lower() == header), None)
            if value is None or not parsing._plain_params(value):
                continue
            for param in ("charset", "boundary", "name", "filename", "format"):
                assert part.get_param(param, None, header) == _modern_param(part, header, param), (
                    header,
                    param,
                )


def test_the_shortcuts_are_taken_for_common_mail() -> None:
    """The point of them: an ordinary message never reaches the modern parser for these."""
    raw = fixtures.plain(sender="Elodie Tremblay <elodie@client.example>", subject="Bonjour", body="Texte")
    tree, _limits, _incomplete = parsing.read_mime(raw)
    heads = parsing._Headers(tree)
    assert heads.simple_mailboxes("From") is not None
    assert heads.simple_mailboxes("To") is not None
    content_type = next(v for k, v in tree.raw_items() if k.lower() == "content-type")
    assert parsing._plain_params(content_type)
