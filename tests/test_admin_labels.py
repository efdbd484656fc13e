"""The administration's pages for categories and teams speak the administrator's language: list
columns, field labels, titles (the outbox has no admin pages: it is read at /desk/outbox/)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation
from django.utils.text import capfirst

from comptoir.accounts.models import User
from comptoir.routing.models import Team
from comptoir.tickets.models import Category
from tests.factories import TeamFactory


@pytest.fixture
def admin_client(db) -> Client:
    root = User.objects.create_superuser(
        username="root@comptoir.test", email="root@comptoir.test", password="x"
    )
    client = Client()
    client.force_login(root)
    return client


def _labels(model, fields: list[str], lang: str) -> list[str]:  # type: ignore[no-untyped-def]
    with translation.override(lang):
        return [str(capfirst(model._meta.get_field(f).verbose_name)) for f in fields] + [
            str(capfirst(model._meta.verbose_name_plural))
        ]


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_category_and_team_admin_pages_are_in_the_readers_language(admin_client, lang):
    team = TeamFactory(name="Accueil")
    category = Category.objects.create(
        slug="test-billing", name_en="Billing", name_fr="Facturation", team=team
    )
    pages = [
        ("/admin/tickets/category/", _labels(Category, ["name_en", "name_fr", "team", "skill"], lang)),
        (
            f"/admin/tickets/category/{category.pk}/change/",
            _labels(Category, ["slug", "name_en", "team"], lang),
        ),
        (
            "/admin/routing/team/",
            _labels(Team, ["level", "is_default", "escalation_team", "auto_assign"], lang),
        ),
        (f"/admin/routing/team/{team.pk}/change/", _labels(Team, ["name", "level", "escalation_team"], lang)),
    ]
    for url, labels in pages:
        html = admin_client.get(url, HTTP_ACCEPT_LANGUAGE=lang).content.decode()
        assert f'<html lang="{lang}"' in html
        for label in labels:
            assert label in html, (url, label)
    team_form = admin_client.get(
        f"/admin/routing/team/{team.pk}/change/", HTTP_ACCEPT_LANGUAGE=lang
    ).content.decode()
    with translation.override(lang):
        assert str(capfirst(Team._meta.get_field("is_default").verbose_name)) in team_form  # the checkbox


def test_french_admin_labels_differ_from_english():
    english = _labels(Category, ["name_en", "name_fr", "team", "skill"], "en") + _labels(
        Team, ["level"], "en"
    )
    french = _labels(Category, ["name_en", "name_fr", "team", "skill"], "fr") + _labels(Team, ["level"], "fr")
    assert all(f != e for f, e in zip(french, english, strict=True)), list(zip(french, english, strict=True))
