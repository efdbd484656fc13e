from __future__ import annotations

import pytest

from comptoir.nlp.language import FALLBACK_CONFIDENCE, detect_language


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Bonjour, je n'ai toujours pas reçu ma commande passée la semaine dernière.", "fr"),
        ("Hello, I still have not received the order I placed last week.", "en"),
        ("Ma facture est fausse", "fr"),
        ("My invoice is wrong", "en"),
        ("Pouvez-vous me rappeler demain ?", "fr"),
        ("Can you call me back tomorrow?", "en"),
    ],
)
def test_detects_french_and_english(text, lang):
    detected, confidence = detect_language(text)
    assert detected == lang
    assert 0.5 < confidence <= 1.0


@pytest.mark.parametrize("fallback", ["fr", "en"])
def test_short_or_letterless_texts_use_the_fallback(fallback):
    for text in ("ok", "URGENT", "12345 !!", "", "   "):
        lang, confidence = detect_language(text, fallback=fallback)
        assert lang == fallback
        assert confidence <= FALLBACK_CONFIDENCE


def test_short_greetings_are_recognised_but_stay_below_real_detection():
    assert detect_language("Bonjour", fallback="en")[0] == "fr"
    assert detect_language("merci beaucoup", fallback="en")[0] == "fr"
    assert detect_language("thanks!", fallback="fr")[0] == "en"
    assert detect_language("Bonjour")[1] < 0.9
    assert detect_language("Ségolène Royal", fallback="en")[0] == "fr"


def test_rejects_an_unknown_fallback():
    with pytest.raises(ValueError, match="fallback"):
        detect_language("hello there friend", fallback="de")


def test_links_and_addresses_do_not_count_as_words():
    assert detect_language("ok https://example.com/suivi jean@example.fr", fallback="fr") == ("fr", 0.3)
    assert detect_language("Voir https://example.com/a, ma commande n'est pas arrivée")[0] == "fr"


def _texts() -> list[str]:
    import random

    from comptoir.console.demo_data import NAMES, reply_text, ticket_text

    rng = random.Random(7)
    texts = []
    for lang in ("fr", "en"):
        for name in NAMES[lang]:
            texts += [*ticket_text(rng, lang, name), reply_text(rng, lang, name)]
    return texts + ["URGENT PANNE DE COURANT", "Ségolène Royal", "ok", "Merci beaucoup !", "Help me please"]


def test_the_compact_model_answers_exactly_as_py3langid():
    """Issue 9: web processes read a two-language copy of py3langid's model (a few MB, no numpy);
    it must give py3langid's answers and probabilities."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    from comptoir.nlp.language import _compact

    reference = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    reference.set_languages(["fr", "en"])
    for text in _texts():
        lang, prob = reference.classify(text)
        mine, mine_prob = _compact().classify(text)
        assert (mine, round(mine_prob, 3)) == (lang, round(prob, 3)), text


def test_detecting_a_language_loads_no_numpy():
    """The web process detects the language of every new ticket: it must stay light."""
    import subprocess
    import sys

    code = (
        "import sys; from comptoir.nlp.language import detect_language;"
        "assert detect_language('Bonjour, ma facture est fausse depuis deux mois', fallback='en')[0] == 'fr';"
        "print(sorted(m for m in ('numpy', 'scipy', 'sklearn', 'py3langid') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)  # noqa: S603
    assert out.stdout.strip() == "[]"
