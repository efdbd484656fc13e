"""Tickets carry their service-level clocks (the first slice of issue 4's wiring)."""

from __future__ import annotations

import json

import pytest

from comptoir.sla.models import Target
from comptoir.sla.selectors import sla_deadline
from comptoir.sla.services import sla_default_setup
from comptoir.tickets.services import ticket_agent_message, ticket_customer_reply, ticket_update

pytestmark = pytest.mark.django_db


@pytest.fixture
def policies(db):
    sla_default_setup()


def test_new_ticket_gets_policy_and_due_times_from_its_priority(policies, make_ticket):
    ticket = make_ticket()
    ticket.refresh_from_db()
    assert ticket.sla_policy.priority == ticket.priority == "P3"
    first = sla_deadline(policy=ticket.sla_policy, target=Target.FIRST_RESPONSE, started_at=ticket.created_at)
    resolution = sla_deadline(
        policy=ticket.sla_policy, target=Target.RESOLUTION, started_at=ticket.created_at
    )
    assert ticket.first_response_due_at == first.due_at
    assert ticket.resolution_due_at == resolution.due_at
    assert ticket.sla_warning_at == min(first.warning_at, resolution.warning_at)
    assert ticket.created_at < ticket.sla_warning_at < ticket.first_response_due_at


def test_priority_change_chooses_the_stricter_policy(policies, make_ticket, agent):
    ticket = make_ticket()
    ticket.refresh_from_db()
    before = ticket.resolution_due_at
    ticket = ticket_update(ticket_id=ticket.pk, actor=agent, version=ticket.version, priority="P1")
    ticket.refresh_from_db()
    assert ticket.sla_policy.priority == "P1"
    assert ticket.resolution_due_at < before


def test_clock_stops_while_waiting_on_the_customer_and_resumes(policies, make_ticket, agent):
    ticket = make_ticket()
    ticket.refresh_from_db()
    running = ticket.resolution_due_at
    ticket = ticket_update(
        ticket_id=ticket.pk, actor=agent, version=ticket.version, status="waiting_customer"
    )
    ticket.refresh_from_db()
    assert ticket.resolution_due_at is None  # paused: no due time while the customer has the ball
    ticket_customer_reply(ticket=ticket, body="Voici les informations.", channel="web")
    ticket.refresh_from_db()
    assert ticket.status == "open"
    assert ticket.resolution_due_at is not None and ticket.resolution_due_at >= running


def test_first_reply_ends_the_first_response_clock(policies, make_ticket, agent):
    ticket = make_ticket()
    ticket_agent_message(ticket=ticket, actor=agent, body="Nous regardons.", internal=False)
    ticket.refresh_from_db()
    assert ticket.first_response_due_at is None
    assert ticket.resolution_due_at is not None


def test_resolved_ticket_has_no_running_clock(policies, make_ticket, agent):
    ticket = make_ticket()
    ticket.refresh_from_db()
    ticket_update(ticket_id=ticket.pk, actor=agent, version=ticket.version, status="resolved")
    ticket.refresh_from_db()
    assert ticket.resolution_due_at is None


def test_api_exposes_sla(policies, api_client, make_ticket):
    ticket = make_ticket()
    data = api_client.get(f"/api/v1/tickets/{ticket.reference}").json()
    assert set(data["sla"]) == {
        "policy", "policy_reason", "paused", "first_response_due", "resolution_due", "warning_at", "breached"
    }  # fmt: skip
    assert data["sla"]["paused"] is False
    assert data["sla"]["breached"] is False and data["sla"]["resolution_due"]
    created = api_client.post(
        "/api/v1/tickets",
        json.dumps({"subject": "Panne", "body": "Plus de courant", "customer": {"email": "x@example.test"}}),
        content_type="application/json",
    ).json()
    assert created["sla"]["first_response_due"]


def test_without_policies_there_is_no_clock(make_ticket):
    from comptoir.sla.models import SlaPolicy

    SlaPolicy.objects.all().delete()  # ``migrate`` ships one policy per priority (issue 8, item 10)
    ticket = make_ticket()
    ticket.refresh_from_db()
    assert ticket.sla_policy is None and ticket.resolution_due_at is None


def test_a_finished_pause_moves_the_due_time_by_its_business_hours(make_ticket, agent):
    """A three-hour wait on the customer, long over, still pushes the due time by three hours.

    Expected instants are written by hand (not computed by the clock code): office hours Monday to
    Friday 08:00-17:00 in Toronto, resolution within 8 business hours, ticket opened Monday
    2026-01-12 at 09:00, waiting on the customer 10:00-13:00. One hour runs before the pause and
    four after it on Monday, so the last three fall on Tuesday 08:00-11:00.
    """
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from comptoir.sla.models import SlaPolicy
    from comptoir.tickets.models import Ticket, TicketEvent
    from comptoir.tickets.sla import ticket_sla_refresh
    from tests.sla.factories import SlaPolicyFactory

    toronto = ZoneInfo("America/Toronto")
    SlaPolicy.objects.all().delete()  # only this policy applies, whatever migrate created
    SlaPolicyFactory(first_response_minutes=60, resolution_minutes=480, warning_percent=75)
    ticket = make_ticket()
    Ticket.objects.filter(pk=ticket.pk).update(created_at=datetime(2026, 1, 12, 9, tzinfo=toronto))
    ticket = ticket_update(
        ticket_id=ticket.pk, actor=agent, version=ticket.version, status="waiting_customer"
    )
    ticket_customer_reply(ticket=ticket, body="Voici le relevé demandé.", channel="web")
    waiting, resumed = TicketEvent.objects.filter(ticket=ticket, field="status").order_by("id")
    assert (waiting.new, resumed.new) == ("waiting_customer", "open")
    TicketEvent.objects.filter(pk=waiting.pk).update(created_at=datetime(2026, 1, 12, 10, tzinfo=toronto))
    TicketEvent.objects.filter(pk=resumed.pk).update(created_at=datetime(2026, 1, 12, 13, tzinfo=toronto))

    ticket = ticket_sla_refresh(ticket=Ticket.objects.get(pk=ticket.pk))

    assert ticket.resolution_due_at == datetime(2026, 1, 13, 11, tzinfo=toronto)
    # Without the pause it would have been Monday 17:00: the pause is not dropped once it ends.
    assert ticket.resolution_due_at != datetime(2026, 1, 12, 17, tzinfo=toronto)
