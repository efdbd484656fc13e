"""Issue 12, item 3: the customer-effort score from what happened, kept as the ticket changes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from comptoir.tickets.services import ticket_customer_reply, ticket_update
from comptoir.voice.effort import effort_score
from comptoir.voice.models import TicketVoice
from comptoir.voice.selectors import high_effort_list, ticket_voice
from tests.factories import TeamFactory

pytestmark = pytest.mark.django_db


def reply(ticket, body, channel, capture, **kw):  # type: ignore[no-untyped-def]
    with capture(execute=True):
        return ticket_customer_reply(ticket=ticket, body=body, channel=channel, **kw)


def update(ticket, agent, **changes):  # type: ignore[no-untyped-def]
    ticket.refresh_from_db()
    ticket_update(ticket_id=ticket.pk, actor=agent, version=ticket.version, **changes)
    ticket.refresh_from_db()


def test_effort_parts_on_a_known_history(
    make_ticket, agent, team, fake_model, django_capture_on_commit_callbacks
):
    ticket = make_ticket(body="My meter reading is wrong, please fix the bill.", channel="web", language="en")
    update(ticket, agent, team=team)  # the first team given: not a transfer
    update(ticket, agent, team=TeamFactory(name="Billing"))  # a transfer between teams
    # The customer calls (logged by the agent): a second contact, a second channel.
    reply(ticket, "Any news about my bill?", "phone", django_capture_on_commit_callbacks, author=agent)
    update(ticket, agent, status="resolved")
    # They write again with the same question: a reopening, a third contact, a question asked again.
    reply(
        ticket, "My meter reading is wrong, please fix the bill!", "web", django_capture_on_commit_callbacks
    )
    ticket.refresh_from_db()
    assert ticket.status == "open"
    voice = TicketVoice.objects.get(ticket=ticket)
    effort = effort_score(voice)
    assert effort.parts == {
        "contacts": 3, "channels": 2, "transfers": 1, "escalations": 0, "reopenings": 1, "repeats": 1,
        "waiting_hours": 0,
    }  # fmt: skip
    # contacts 3 - 1, channels (2 - 1) x 2, transfer 2, reopening 3, repeat 3.
    assert effort.points == {
        "contacts": 2, "channels": 2, "transfers": 2, "escalations": 0, "reopenings": 3, "repeats": 3,
        "waiting": 0,
    }  # fmt: skip
    assert effort.score == voice.effort == 12
    assert voice.high_effort and ticket_voice(ticket=ticket).flags == ["high_effort"]
    assert high_effort_list(actor=agent) == [ticket]


def test_a_quiet_ticket_is_low_effort_and_not_listed(make_ticket, agent, fake_model):
    ticket = make_ticket(body="Could you send me my invoice?", language="en")
    voice = TicketVoice.objects.get(ticket=ticket)
    assert (voice.contacts, voice.channels, voice.effort, voice.high_effort) == (1, ["web"], 0, False)
    assert high_effort_list(actor=agent) == []


def test_waiting_on_us_counts_until_we_wait_on_the_customer(make_ticket, agent, fake_model):
    ticket = make_ticket(body="Could you send me my invoice?", language="en")
    start = timezone.now() - timedelta(days=3)
    TicketVoice.objects.filter(ticket=ticket).update(waiting_since=start)
    update(ticket, agent, status="waiting_customer")
    voice = TicketVoice.objects.get(ticket=ticket)
    assert voice.waiting_since is None and 3 * 86400 <= voice.waiting_seconds < 3 * 86400 + 60
    assert effort_score(voice).points["waiting"] == 3
    update(ticket, agent, status="open")  # the clock runs again from now
    assert TicketVoice.objects.get(ticket=ticket).waiting_since is not None
    # One point a day, at most ten.
    long_wait = TicketVoice(waiting_seconds=40 * 86400)
    assert effort_score(long_wait).points["waiting"] == 10


def test_the_threshold_is_a_setting(
    make_ticket, agent, fake_model, settings, django_capture_on_commit_callbacks
):
    settings.COMPTOIR_EFFORT_HIGH = 2
    ticket = make_ticket(body="Where is my parcel?", language="en")
    reply(ticket, "Hello, I call about the parcel.", "phone", django_capture_on_commit_callbacks)
    voice = TicketVoice.objects.get(ticket=ticket)
    assert voice.effort == 3 and voice.high_effort  # a second contact (1), a second channel (2)


def test_an_escalation_counts_once_and_its_move_is_not_a_transfer(make_ticket, agent, team, fake_model):
    from comptoir.assignment.services import ticket_escalate

    ticket = make_ticket(body="Where is my parcel?", language="en")
    update(ticket, agent, team=team)
    ticket_escalate(
        actor=agent, ticket_id=ticket.pk, reason="carrier", summary="Lost parcel",
        team=TeamFactory(name="Logistics L2", level=2),
    )  # fmt: skip
    voice = TicketVoice.objects.get(ticket=ticket)
    assert (voice.escalations, voice.transfers) == (1, 0)
    assert effort_score(voice).points["escalations"] == 2


def test_the_first_wait_counts_even_before_the_ticket_had_a_row(make_ticket, agent, fake_model):
    ticket = make_ticket(body="Could you send me my invoice?", language="en")
    TicketVoice.objects.filter(ticket=ticket).delete()  # as if nothing had been scored yet
    ticket.__class__.objects.filter(pk=ticket.pk).update(created_at=timezone.now() - timedelta(days=2))
    update(ticket, agent, status="waiting_customer")
    voice = TicketVoice.objects.get(ticket=ticket)
    assert voice.waiting_since is None and voice.waiting_seconds >= 2 * 86400
