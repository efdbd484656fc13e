"""The French and English catalogues are complete, compiled, and actually used at runtime.

Strings are read from the catalogues, never guessed here, so a new or changed msgid only needs a
translation (and ``compilemessages``), not a test edit. See ``comptoir/locale/README.md``.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils.html import escape
from django.utils.translation import gettext, override

LANGS = ["fr", "en"]
LOCALE_DIR = Path(settings.LOCALE_PATHS[0])
PLACEHOLDER = re.compile(r"%(?:\((\w+)\))?[-#0 +]*\d*(?:\.\d+)?([diouxXeEfFgGcrs%])")


def po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / "django.po"


def mo_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / "django.mo"


def live_entries(catalogue: polib._BaseFile) -> list[polib._BaseEntry]:
    return [e for e in catalogue if not e.obsolete and e.msgid != ""]


def translations(entry: polib._BaseEntry) -> list[tuple[str, str]]:
    """(source, translation) pairs of one entry: one pair, or one per plural form."""
    if entry.msgid_plural:
        return [
            (entry.msgid if n == 0 else entry.msgid_plural, text)
            for n, text in sorted(entry.msgstr_plural.items())
        ]
    return [(entry.msgid, entry.msgstr)]


def placeholders(text: str) -> Counter[str]:
    return Counter(f"{name or ''}:{conv}" for name, conv in PLACEHOLDER.findall(text) if conv != "%")


def compiled_pairs(catalogue: polib._BaseFile) -> dict[tuple[str | None, str], tuple[str, ...]]:
    pairs = {}
    for e in live_entries(catalogue):
        if isinstance(catalogue, polib.POFile) and ("fuzzy" in e.flags or not e.translated()):
            continue  # msgfmt leaves these out of the .mo
        forms = tuple(t for _, t in translations(e))
        pairs[(e.msgctxt or None, e.msgid)] = forms
    return pairs


def label(entry: polib._BaseEntry) -> str:
    return f"{entry.msgctxt}|{entry.msgid}" if entry.msgctxt else entry.msgid


# (a) complete catalogues ------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_catalogue_exists_and_is_not_empty(lang):
    assert po_path(lang).is_file(), f"missing {po_path(lang)}: run makemessages"
    assert live_entries(polib.pofile(str(po_path(lang)))), "empty catalogue"


@pytest.mark.parametrize("lang", LANGS)
def test_no_untranslated_or_fuzzy_entries(lang):
    catalogue = polib.pofile(str(po_path(lang)))
    assert not catalogue.metadata_is_fuzzy, "the header is still marked fuzzy"
    assert catalogue.metadata.get("Language") == lang
    untranslated = [label(e) for e in catalogue.untranslated_entries()]
    fuzzy = [label(e) for e in catalogue.fuzzy_entries()]
    assert untranslated == [], f"{lang}: untranslated entries: {untranslated}"
    assert fuzzy == [], f"{lang}: fuzzy entries: {fuzzy}"


@pytest.mark.parametrize("lang", LANGS)
def test_placeholders_and_line_structure_are_kept(lang):
    problems = []
    for entry in live_entries(polib.pofile(str(po_path(lang)))):
        for source, text in translations(entry):
            if placeholders(source) != placeholders(text):
                problems.append(f"placeholders differ: {label(entry)!r} -> {text!r}")
            if source.count("\n") != text.count("\n"):
                problems.append(f"line count differs: {label(entry)!r} -> {text!r}")
            if source[:1].isspace() != text[:1].isspace() or source[-1:].isspace() != text[-1:].isspace():
                problems.append(f"leading/trailing whitespace differs: {label(entry)!r} -> {text!r}")
    assert problems == []


def test_french_is_actually_french():
    """Guard against an English copy pasted into fr: most sentences must differ from their msgid."""
    entries = live_entries(polib.pofile(str(po_path("fr"))))
    sentences = [e for e in entries if len(e.msgid.split()) >= 3]
    same = [label(e) for e in sentences if e.msgstr == e.msgid]
    assert len(same) <= len(sentences) // 10, f"left in English: {same}"


def test_english_catalogue_is_identity():
    for entry in live_entries(polib.pofile(str(po_path("en")))):
        for source, text in translations(entry):
            assert text == source, label(entry)


# (b) compiled catalogues are current ------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_mo_is_up_to_date_with_po(lang):
    assert mo_path(lang).is_file(), f"missing {mo_path(lang)}: run compilemessages"
    expected = compiled_pairs(polib.pofile(str(po_path(lang))))
    actual = compiled_pairs(polib.mofile(str(mo_path(lang))))
    stale = sorted(
        {f"{ctx}|{msgid}" if ctx else msgid for ctx, msgid in expected.keys() ^ actual.keys()}
        | {
            f"{k[0]}|{k[1]}" if k[0] else k[1]
            for k in expected.keys() & actual.keys()
            if expected[k] != actual[k]
        }
    )
    assert stale == [], f"{lang}: django.mo is stale, run compilemessages; differing: {stale}"


# (c) pages render in the visitor's language -----------------------------------------------------


def fr_and_en(message: str) -> tuple[str, str]:
    with override("fr"):
        french = gettext(message)
    with override("en"):
        english = gettext(message)
    assert french != english, f"no French translation for {message!r}"
    return french, english


@pytest.mark.django_db
@pytest.mark.parametrize("lang", LANGS)
def test_request_form_renders_in_accept_language(client, lang):
    other = "en" if lang == "fr" else "fr"
    expected = {}
    for msgid in ("Send my request", "Contact us", "Your name"):
        french, english = fr_and_en(msgid)
        expected[msgid] = {"fr": french, "en": english}

    response = client.get("/", HTTP_ACCEPT_LANGUAGE=lang)

    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{lang}">' in html
    assert response.headers["Content-Language"] == lang
    for texts in expected.values():
        assert escape(texts[lang]) in html
        assert escape(texts[other]) not in html


# (d) mail to the customer is in the customer's language ----------------------------------------
# make_ticket goes through comptoir.intake.services.receive with an InboundMessage, as a channel does.


@pytest.mark.django_db
def test_acknowledgment_email_for_french_customer_is_french(
    make_ticket, mailoutbox, django_capture_on_commit_callbacks
):
    subject_fr, subject_en = fr_and_en("[%(reference)s] We received your request")
    follow_fr, follow_en = fr_and_en("Follow your request and reply to us here:")
    private_fr, _ = fr_and_en("Keep this link private: anyone who has it can read your request.")

    with override("en"), django_capture_on_commit_callbacks(execute=True):
        ticket = make_ticket(email="elodie@example.test", language="fr")

    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["elodie@example.test"]
    assert mail.subject == subject_fr % {"reference": ticket.reference}
    assert subject_en % {"reference": ticket.reference} != mail.subject
    assert follow_fr in mail.body and private_fr in mail.body
    assert follow_en not in mail.body
    assert ticket.reference in mail.body


@pytest.mark.django_db
def test_acknowledgment_email_for_english_customer_is_english(
    make_ticket, mailoutbox, django_capture_on_commit_callbacks
):
    subject_fr, subject_en = fr_and_en("[%(reference)s] We received your request")
    follow_fr, follow_en = fr_and_en("Follow your request and reply to us here:")

    with override("fr"), django_capture_on_commit_callbacks(execute=True):
        ticket = make_ticket(
            email="sam@example.test", language="en", subject="Wrong bill", body="Hello, my bill is wrong."
        )

    assert len(mailoutbox) == 1
    assert mailoutbox[0].subject == subject_en % {"reference": ticket.reference}
    assert follow_en in mailoutbox[0].body and follow_fr not in mailoutbox[0].body
