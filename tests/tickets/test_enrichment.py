"""Issue 9, item 6: intake answers at once; the classifier, auto-assignment and key-account alerts
run in the worker after the commit, through the real database task backend and worker."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone, translation
from django_tasks_db.models import DBTaskResult

from comptoir.customers.services import CustomerData
from comptoir.intake.services import InboundMessage, receive
from comptoir.routing.services import team_set_default
from comptoir.tickets.enrichment import enrichment_sweep
from comptoir.tickets.models import Ticket, TicketEvent
from comptoir.tickets.services import ticket_agent_message, ticket_update
from comptoir.tickets.tasks import ticket_enrich_task
from comptoir.triage.models import TrainingExample, TriageDecision

OUTAGE = "Plus d'électricité dans tout le quartier depuis ce matin, le compteur est éteint."


@pytest.fixture(autouse=True)
def _database_tasks(request, settings):
    from comptoir.triage.services import starter_categories_setup

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    request.getfixturevalue("transactional_db" if "transactional_db" in request.fixturenames else "db")
    starter_categories_setup()  # a transactional test before this one may have flushed them


def _receive(n: int = 0) -> Ticket:
    return receive(
        InboundMessage(
            channel="web",
            customer=CustomerData(name="Noël Roy", email=f"noel{n}@example.test", language="fr"),
            subject="Panne de courant",
            text=OUTAGE,
            language="fr",
        )
    ).ticket


def _run_worker() -> None:
    """The real database worker, on the enrichment tasks (the outbox's sends are tested in tests/outbox)."""
    DBTaskResult.objects.exclude(task_path=ticket_enrich_task.module_path).delete()
    call_command("db_worker", batch=True, startup_delay=False, interval=0, verbosity=0)


def _enrichment_tasks() -> int:
    return DBTaskResult.objects.filter(task_path=ticket_enrich_task.module_path).count()


# Real commits: the worker sees what intake committed, as in production (and closes its
# connections between tasks, which a test transaction would not survive).
WORKER = pytest.mark.django_db(transaction=True)


@WORKER
@pytest.mark.fault("issue9-6")
def test_intake_answers_first_and_the_worker_finishes_the_triage(team, agent):
    team_set_default(team=team)
    ticket = _receive()
    ticket.refresh_from_db()
    # Intake's answer: in a team's queue at once, no model run, the analysis queued with it.
    assert ticket.analysing and ticket.team_id is not None and ticket.category_id is None
    assert not TriageDecision.objects.filter(ticket=ticket).exists()
    assert _enrichment_tasks() == 1
    client = Client()
    client.force_login(agent)
    page = client.get(f"/desk/tickets/{ticket.reference}/", HTTP_ACCEPT_LANGUAGE="en")
    assert b'data-testid="analysing"' in page.content and b"Being analysed" in page.content

    _run_worker()
    ticket.refresh_from_db()
    assert not ticket.analysing and ticket.category is not None
    decision = TriageDecision.objects.get(ticket=ticket)
    assert decision.source == "model" and decision.label == ticket.category.slug
    event = ticket.events.get(field=TicketEvent.Kind.ENRICHMENT)
    assert f"category={ticket.category.slug}" in event.new and "by=model" in event.new
    assert re.search(r"duration=\d+$", event.new)
    # The reader sees it in words, in their language.
    with translation.override("en"):
        assert event.new_label.startswith("decided by: the classifier")
        assert f"category: {ticket.category.name_en}" in event.new_label and " ms" in event.new_label
    with translation.override("fr"):
        assert f"catégorie\u00a0: {ticket.category.name_fr}" in event.new_label
    page = client.get(f"/desk/tickets/{ticket.reference}/", HTTP_ACCEPT_LANGUAGE="en")
    assert b'data-testid="analysing"' not in page.content
    # The model's change teaches the model nothing; only a person's correction does.
    assert not TrainingExample.objects.filter(ticket=ticket).exists()

    # A second delivery of the task finds the work done and changes nothing.
    ticket_enrich_task.enqueue(ticket_id=ticket.pk, context={})
    _run_worker()
    assert ticket.events.filter(field=TicketEvent.Kind.ENRICHMENT).count() == 1


@pytest.mark.fault("issue9-6")
def test_a_lost_enrichment_task_is_caught_by_the_sweep(team):
    ticket = _receive()
    DBTaskResult.objects.all().delete()  # the queue was lost (a crash, a flushed broker)
    assert enrichment_sweep() == 0  # too recent: its task may still be on its way
    Ticket.objects.filter(pk=ticket.pk).update(created_at=timezone.now() - timedelta(minutes=3))
    assert enrichment_sweep() == 1
    ticket.refresh_from_db()
    assert not ticket.analysing and ticket.category is not None
    assert ticket.events.filter(field=TicketEvent.Kind.ENRICHMENT).count() == 1
    assert enrichment_sweep() == 0


@WORKER
@pytest.mark.fault("issue9-6")
def test_a_ticket_answered_and_classified_before_its_enrichment_keeps_the_agents_choices(team, agent):
    from comptoir.tickets.models import Category

    ticket = _receive()
    billing = Category.objects.create(slug="billing-x", name_en="Billing", name_fr="Facturation")
    ticket.refresh_from_db()
    ticket_agent_message(ticket=ticket, actor=agent, body="Nous regardons.", internal=False)
    ticket.refresh_from_db()
    ticket_update(ticket_id=ticket.pk, actor=agent, version=ticket.version, category=billing, priority="P4")

    _run_worker()
    ticket.refresh_from_db()
    assert not ticket.analysing
    assert ticket.category == billing and ticket.priority == "P4" and ticket.status == "open"
    assert TrainingExample.objects.get(ticket=ticket).label == "billing-x"  # the person's correction
    assert ticket.events.filter(field=TicketEvent.Kind.ENRICHMENT).count() == 1
    assert not ticket.events.filter(field="category", actor__isnull=True).exists()
