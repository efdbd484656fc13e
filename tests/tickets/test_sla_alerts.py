"""Warnings and breaches: fired by scheduled tasks and the sweep, once each, to the right people."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from comptoir.console.workers import sweep_once
from comptoir.outbox.models import Delivery
from comptoir.sla.models import SlaPolicy
from comptoir.tickets.models import DUE_NEVER, SlaAlert, Ticket, TicketEvent
from comptoir.tickets.selectors import ticket_queue
from comptoir.tickets.services import ticket_update
from comptoir.tickets.sla import sla_sweep, ticket_sla_refresh
from tests.factories import AgentFactory
from tests.sla.factories import BusinessCalendarFactory, SlaPolicyFactory

pytestmark = pytest.mark.django_db(transaction=True)

ALWAYS_OPEN = [(d, time(0), time(0)) for d in range(7)]


@pytest.fixture
def hour_policy(db):
    """First response within 60 minutes, warning at 50 %, every hour of every day."""
    SlaPolicy.objects.all().delete()  # the only policy, whatever migrate created
    calendar = BusinessCalendarFactory(
        name="24/7", holiday_country="", holiday_subdiv=None, hours=ALWAYS_OPEN
    )
    return SlaPolicyFactory(
        name="hour", calendar=calendar, first_response_minutes=60, resolution_minutes=600, warning_percent=50
    )


def _age(ticket: Ticket, minutes: int) -> Ticket:
    """Pretend the ticket arrived ``minutes`` ago, and recompute its clocks as a change would."""
    Ticket.objects.filter(pk=ticket.pk).update(created_at=timezone.now() - timedelta(minutes=minutes))
    ticket = Ticket.objects.select_related("customer").get(pk=ticket.pk)
    return ticket_sla_refresh(ticket=ticket)


def _run_worker() -> None:
    """The worker: its task loop, then its registered jobs (the SLA pump reads sla_next_check_at)."""
    call_command("db_worker", batch=True, startup_delay=False, interval=0, verbosity=0)
    sweep_once()


def _alerts(ticket: Ticket) -> list[tuple[str, str]]:
    return sorted(SlaAlert.objects.filter(ticket=ticket).values_list("target", "kind"))


def test_warning_then_breach_fire_once_each_from_the_worker(settings, hour_policy, make_ticket, team):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    assignee = AgentFactory(teams=[team], email="assignee@comptoir.test")
    supervisor = AgentFactory(teams=[team], email="chef@comptoir.test", is_supervisor=True, language="fr")
    AgentFactory(email="other-team-chef@comptoir.test", is_supervisor=True)  # not this team's
    ticket = make_ticket()
    ticket = ticket_update(
        ticket_id=ticket.pk, actor=supervisor, version=ticket.version, team=team, assignee=assignee
    )
    assert ticket.sla_next_check_at is not None and ticket.due_at < DUE_NEVER

    ticket = _age(ticket, 40)  # past the warning (30 min), before the target (60 min)
    _run_worker()
    assert _alerts(ticket) == [("first_response", "warning")]
    warnings = Delivery.objects.filter(kind="staff_alert", idempotency_key__startswith="sla:warning")
    assert sorted(d.recipient for d in warnings) == ["assignee@comptoir.test", "chef@comptoir.test"]
    french = warnings.get(recipient="chef@comptoir.test")
    assert ticket.reference in french.subject and "Avertissement" in french.subject

    ticket = _age(ticket, 70)  # now the target is missed
    _run_worker()
    assert _alerts(ticket) == [("first_response", "breach"), ("first_response", "warning")]
    ticket.refresh_from_db()
    assert ticket.sla_breached and ticket.review_reason  # escalated: flagged for the supervisors
    breaches = Delivery.objects.filter(kind="staff_alert", idempotency_key__startswith="sla:breach")
    assert breaches.count() == 2

    # Running everything again (a duplicate task, the sweep, the worker) fires nothing more.
    ticket_sla_refresh(ticket=Ticket.objects.get(pk=ticket.pk))
    assert sla_sweep() == 0
    _run_worker()
    assert _alerts(ticket) == [("first_response", "breach"), ("first_response", "warning")]
    assert Delivery.objects.filter(kind="staff_alert").count() == 4
    fields = list(
        TicketEvent.objects.filter(ticket=ticket, field__startswith="sla_").values_list("field", flat=True)
    )
    assert sorted(fields) == ["sla_breach", "sla_warning"]


def test_sweep_fires_what_a_lost_task_would_have(hour_policy, make_ticket, agent):
    """Tasks run at once in tests (no deferral): only the sweep can fire, as after a crash."""
    ticket = make_ticket()
    ticket = _age(ticket, 75)
    assert sla_sweep() == 2  # warning recorded and breach fired in one pass
    assert _alerts(ticket) == [("first_response", "breach"), ("first_response", "warning")]
    # Late warning is recorded but not sent: only the breach is news.
    assert not Delivery.objects.filter(idempotency_key__startswith="sla:warning").exists()
    assert sla_sweep() == 0


def test_answered_or_paused_tickets_do_not_alert(hour_policy, make_ticket, agent):
    answered = make_ticket()
    from comptoir.tickets.services import ticket_agent_message

    ticket_agent_message(ticket=answered, actor=agent, body="Bonjour, c'est réglé.", internal=False)
    waiting = make_ticket()
    ticket_update(ticket_id=waiting.pk, actor=agent, version=waiting.version, status="waiting_customer")
    for ticket in (answered, waiting):
        Ticket.objects.filter(pk=ticket.pk).update(created_at=timezone.now() - timedelta(minutes=75))
    sla_sweep(now=timezone.now() + timedelta(minutes=5))
    assert not SlaAlert.objects.filter(ticket=waiting).exists()
    # The answered ticket still has its resolution clock (600 min): no first-response alert.
    assert not SlaAlert.objects.filter(ticket=answered, target="first_response").exists()


def test_queue_is_ordered_by_due_time_then_priority(hour_policy, make_ticket, agent, team):
    late = make_ticket(subject="late")
    soon = make_ticket(subject="soon")
    none = make_ticket(subject="no target")
    Ticket.objects.filter(pk=none.pk).update(sla_policy=None)
    for t in (late, soon, none):
        Ticket.objects.filter(pk=t.pk).update(team=team)
    _age(late, 50)
    _age(soon, 10)
    Ticket.objects.filter(pk=none.pk).update(due_at=DUE_NEVER)
    page = ticket_queue(actor=agent, team_ids=[team.pk], limit=10)
    assert [t.subject for t in page.items] == ["late", "soon", "no target"]


def test_desk_shows_time_left(hour_policy, make_ticket, desk_client, team):
    ticket = make_ticket()
    Ticket.objects.filter(pk=ticket.pk).update(team=team)
    _age(ticket, 90)
    html = desk_client.get("/desk/?view=team").content.decode()  # the team's queue (issue 10)
    assert "late by 30 min" in html or "late by 29 min" in html
    html = desk_client.get(f"/desk/tickets/{ticket.reference}/").content.decode()
    assert 'data-testid="time-left"' in html and "late by" in html


def test_next_response_clock_restarts_with_each_customer_message(hour_policy, make_ticket, agent):
    """After the first answer, each unanswered customer message starts a next-response clock."""
    from comptoir.tickets.services import ticket_agent_message, ticket_customer_reply

    hour_policy.next_response_minutes = 30
    hour_policy.save()
    ticket = make_ticket()
    ticket_agent_message(ticket=ticket, actor=agent, body="Bonjour, nous regardons.", internal=False)
    ticket.refresh_from_db()
    resolution_due = ticket.due_at  # only resolution runs now (600 min)
    ticket_customer_reply(ticket=ticket, body="Des nouvelles ?", channel="email")
    ticket.refresh_from_db()
    assert ticket.due_at < resolution_due  # the next response (30 min) is what is due first
    assert sla_sweep(now=timezone.now() + timedelta(minutes=31)) == 2  # warning recorded, breach
    first_cycle = SlaAlert.objects.filter(ticket=ticket, target="next_response")
    assert sorted(first_cycle.values_list("kind", flat=True)) == ["breach", "warning"]
    ticket_agent_message(ticket=ticket, actor=agent, body="Voici la réponse.", internal=False)
    ticket.refresh_from_db()
    assert ticket.due_at == resolution_due  # answered: the clock stopped
    ticket_customer_reply(ticket=ticket, body="Encore une question.", channel="email")
    # A new cycle fires again; the first cycle's alerts are not repeated.
    assert sla_sweep(now=timezone.now() + timedelta(minutes=31)) == 2
    assert SlaAlert.objects.filter(ticket=ticket, target="next_response").count() == 4
    assert sla_sweep(now=timezone.now() + timedelta(minutes=32)) == 0
