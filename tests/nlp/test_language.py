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
