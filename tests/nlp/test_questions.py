"""Answer every question (issue 11): question detection and the "addressed" decision, FR and EN."""

from __future__ import annotations

import time

import pytest

from comptoir.search.questions import check, find_questions


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Bonjour, pouvez-vous vérifier mon compteur ? Merci.", ["pouvez-vous vérifier mon compteur ?"]),
        # Interrogative forms without "?"
        ("Est-ce que je peux payer en trois fois", ["Est-ce que je peux payer en trois fois"]),
        ("Je voudrais aussi savoir si la leçon sera remboursée.", ["Je voudrais aussi savoir si la leçon sera remboursée."]),  # noqa: E501
        ("Comment transférer mon abonnement à ma nouvelle adresse", ["Comment transférer mon abonnement à ma nouvelle adresse"]),  # noqa: E501
        ("Pourquoi ma carte est refusée", ["Pourquoi ma carte est refusée"]),
        ("I would like to know why my bill is so high.", ["I would like to know why my bill is so high."]),
        ("Could you reset my password please", ["Could you reset my password please"]),
        ("When will the refund reach my account", ["When will the refund reach my account"]),
        ("bonjour jai pas recu ma carte quand est ce que je vais la recevoir", ["jai pas recu ma carte quand est ce que je vais la recevoir"]),  # noqa: E501
        # Statements are not questions
        ("Ma facture est de 240 $. Je suis déménagé le 1er juillet.", []),
        ("Thanks, everything works now!", []),
        ("Merci !", []),
    ],
)  # fmt: skip
def test_questions_are_found_in_french_and_english(text: str, expected: list[str]) -> None:
    assert find_questions(text) == expected


def test_quoted_history_and_signature_are_left_out() -> None:
    fr = (
        "Pouvez-vous m'envoyer la facture de mars ?\n\nCordialement,\nMarie\nQuel est votre numéro ?\n\n"
        "Le 3 mars 2026, Service client a écrit :\n> Quand êtes-vous disponible ?"
    )
    assert find_questions(fr) == ["Pouvez-vous m'envoyer la facture de mars ?"]
    en = "> Could you send a photo of the meter?\nSure, here it is.\n\nOn Mon, Mar 3, 2026, Support wrote:\n> When?"  # noqa: E501
    assert find_questions(en) == []
    assert find_questions("Why is it late?\n-- \nAnna\nWhat else?") == ["Why is it late?"]


def test_a_draft_that_answers_marks_the_question_answered() -> None:
    message = (
        "Bonjour, ma facture est le double d'habitude. Pouvez-vous vérifier le relevé de mon compteur ? "
        "Quand le remboursement sera-t-il versé ?"
    )
    partial = check([message], "Nous avons vérifié le relevé de votre compteur : il était erroné.")
    assert [(q.text, q.answered) for q in partial] == [
        ("Pouvez-vous vérifier le relevé de mon compteur ?", True),
        ("Quand le remboursement sera-t-il versé ?", False),
    ]
    full = check([message], "Le relevé du compteur a été vérifié. Le remboursement sera versé le 12 avril.")
    assert [q.answered for q in full] == [True, True]
    assert [q.answered for q in check([message], "")] == [False, False]


def test_english_answers_and_cues_for_dates_and_amounts() -> None:
    message = "How much is a 20-hour driving package? Do you offer lessons on Saturdays?"
    found = check([message], "Hi, the 20-hour driving package costs $1,150.")
    assert [q.answered for q in found] == [True, False]
    when = check(
        ["When will my new card arrive?"], "Your new card was mailed and will arrive within 5 business days."
    )
    assert [q.answered for q in when] == [True]


def test_a_french_question_answered_in_english_is_matched_by_stems() -> None:
    # Accents folded and both languages' stems: "réinitialiser" / "mot de passe" vs "password".
    found = check(
        ["Pourriez-vous réinitialiser mon mot de passe ?"], "Nous avons réinitialisé votre mot de passe."
    )
    assert [q.answered for q in found] == [True]


def test_the_same_question_twice_is_listed_once_and_the_check_is_fast() -> None:
    texts = ["Where is my refund?", "Where is my refund?\nStill waiting."]
    assert [q.text for q in check(texts, "")] == ["Where is my refund?"]
    long_message = " ".join(["Pouvez-vous vérifier ma facture de mars et le relevé du compteur ?"] * 40)
    start = time.perf_counter()
    check([long_message] * 5, "Nous avons vérifié votre facture. " * 50)
    assert time.perf_counter() - start < 0.05
