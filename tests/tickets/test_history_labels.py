"""History shows words in the reader's language, not the machine-readable values it stores."""

from __future__ import annotations

import pytest
from django.utils import translation

from comptoir.tickets.history import event_value_label

NOTE = (
    "language=fr (1.00); category=billing; team=Accueil; priority=P3; by=model (0.96); "
    "triage queue; default team"
)


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "language: French (1.00) · category: Billing · team: Accueil · priority: P3 · "
               "decided by: the classifier (0.96) · in the triage queue · default team"),
        ("fr", "langue\u00a0: Français (1,00) · catégorie\u00a0: Facturation · équipe\u00a0: Accueil · "
               "priorité\u00a0: P3 · décidé par\u00a0: le classificateur (0,96) · dans la file de tri · "
               "équipe par défaut"),
    ],
)  # fmt: skip
@pytest.mark.django_db
def test_the_triage_note_reads_as_words(lang, expected):
    with translation.override(lang):
        assert event_value_label("triage", NOTE) == expected


@pytest.mark.django_db
def test_escalations_and_unknown_values():
    with translation.override("fr"):
        assert (
            event_value_label("escalation", "supervisor: Client fâché")
            == "à un superviseur\u00a0: Client fâché"
        )
        assert event_value_label("escalation", "level 2: Réseau") == "Niveau 2\u00a0: Réseau"
        outage = event_value_label("triage", "outage reported 11 times within an hour")
        assert outage == "panne signalée 11 fois en une heure"
        assert event_value_label("triage", "something new") == "something new"
        assert event_value_label("team", "Accueil") == "Accueil"
        assert event_value_label("category", "billing") == "Facturation"  # a name, not the code
        assert event_value_label("category", "no-such-slug") == "no-such-slug"
