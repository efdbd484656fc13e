"""Issue 8, walk-through item 1: a fresh install (``migrate``, ``agent add``, nothing else) has the
starter model's categories, so a confident guess is applied; staff read a label as the category's
name in their language, and ``other`` as "Out of scope".
"""

from __future__ import annotations

import importlib
import io

import pytest
from django.apps import apps
from django.core.management import call_command
from django.test import Client

from comptoir.accounts.models import User
from comptoir.tickets.models import Category, Ticket
from comptoir.triage.selectors import triage_queue
from comptoir.triage.services import STARTER_NAMES

pytestmark = pytest.mark.django_db

PRINTER = "L'imprimante du 2e étage est en panne, personne ne peut imprimer."


def _fresh_agent() -> tuple[User, Client]:
    out = io.StringIO()
    call_command(
        "agent", "add", "un@example.org", "--name", "Un", "--team", "Niveau 1", "--token", stdout=out
    )
    token = out.getvalue().strip().splitlines()[-1]
    return User.objects.get(email="un@example.org"), Client(headers={"Authorization": f"Bearer {token}"})


@pytest.mark.fault("issue8-1")
def test_a_fresh_install_files_a_printer_outage_as_an_it_incident():
    agent, api = _fresh_agent()  # no `triage setup`, no demo: only this test database's migrate
    response = api.post(
        "/api/v1/tickets",
        {"subject": "Imprimante", "channel": "api", "body": PRINTER, "customer": {"email": "c@example.org"}},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    ticket = Ticket.objects.select_related("category", "team", "triage").get(
        reference=response.json()["reference"]
    )
    assert ticket.category.slug == "incident" and ticket.team.name == "Niveau 1"  # unrouted: default team
    assert ticket.triage.source == "model" and not ticket.triage.needs_review
    desk = Client()
    desk.force_login(agent)
    page = desk.get(f"/desk/tickets/{ticket.reference}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'Classifier · <span data-testid="triage-label">IT incident</span>' in page
    assert "in the triage queue" not in page
    assert '<option value="incident" selected>IT incident</option>' in page
    page = desk.get(f"/desk/tickets/{ticket.reference}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert '<span data-testid="triage-label">Incident informatique</span>' in page


def test_migrate_made_the_starter_categories_without_other_and_without_team():
    names = {c.slug: (c.name_en, c.name_fr, c.team_id) for c in Category.objects.all()}
    assert names == {slug: (en, fr, None) for slug, (en, fr) in STARTER_NAMES.items()}


def test_the_data_migration_keeps_what_exists():
    migration = importlib.import_module("comptoir.triage.migrations.0003_starter_categories")
    Category.objects.filter(slug="billing").update(name_en="Invoices")
    Category.objects.filter(slug="meter").delete()
    migration.create_categories(apps, None)
    assert Category.objects.get(slug="billing").name_en == "Invoices"
    assert Category.objects.get(slug="meter").name_fr == "Compteur"
    assert Category.objects.count() == len(STARTER_NAMES)


@pytest.mark.fault("issue8-1")
def test_staff_read_category_names_and_out_of_scope_not_slugs(
    make_ticket, agent, settings, django_assert_num_queries
):
    settings.COMPTOIR_TRIAGE_MIN_CONFIDENCE = 1.01  # nothing is sure enough: all to the queue
    billing = make_ticket(body="Bonjour, ma facture est fausse, j'ai été facturé deux fois.")
    gibberish = make_ticket(subject="", body="asdf", language="en")
    assert (billing.triage.label, gibberish.triage.label) == ("billing", "other")
    desk = Client()
    desk.force_login(agent)
    page = desk.get("/desk/triage/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-testid="best-guess">Billing</td>' in page
    assert 'data-testid="best-guess">Out of scope</td>' in page
    page = desk.get("/desk/triage/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert 'data-testid="best-guess">Facturation</td>' in page
    page = desk.get(f"/desk/tickets/{gibberish.reference}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<span data-testid="triage-label">Out of scope</span> (' in page
    for _i in range(3):
        make_ticket(body="Bonjour, ma facture est fausse.")
    with django_assert_num_queries(3):  # ids, tickets, then one lookup of every label's category
        rows = triage_queue()
    assert len(rows) == 5 and {str(t.triage.label_name) for t in rows} >= {"Billing", "Out of scope"}
