"""The sidebar's counters equal a real COUNT after every kind of change, and can be rebuilt."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from comptoir.assignment.services import ticket_escalate, ticket_next, ticket_pick
from comptoir.tickets.bulk import Action, bulk_undo, tickets_bulk
from comptoir.tickets.merge import ticket_merge
from comptoir.tickets.models import Ticket
from comptoir.tickets.services import ticket_customer_reply, ticket_update
from comptoir.tickets.snooze import snooze_wake_due, ticket_snooze, ticket_wake
from comptoir.worklists.models import ViewCounter
from comptoir.worklists.selectors import worklist_counts

from ..factories import AgentFactory, TeamFactory

pytestmark = pytest.mark.django_db


def _real() -> dict[tuple[int, int, bool, bool], int]:
    """A real count per (team, assignee, open, snoozed), read in Python: an open ticket with a
    snooze time is asleep, a closed one never is."""
    real: dict[tuple[int, int, bool, bool], int] = {}
    for team, assignee, is_open, until in Ticket.objects.values_list(
        "team_id", "assignee_id", "is_open", "snoozed_until"
    ):
        key = (team or 0, assignee or 0, is_open, is_open and until is not None)
        real[key] = real.get(key, 0) + 1
    return real


def _counted() -> dict[tuple[int, int, bool, bool], int]:
    return {
        (c.team_key, c.assignee_key, c.is_open, c.is_snoozed): c.count
        for c in ViewCounter.objects.all()
        if c.count
    }


def _update(ticket: Ticket, actor, **fields) -> None:  # type: ignore[no-untyped-def]
    ticket.refresh_from_db()
    ticket_update(ticket_id=ticket.pk, actor=actor, version=ticket.version, **fields)


def test_counters_follow_every_change(make_ticket, agent, team):
    other = TeamFactory(name="Niveau 2", level=2)
    senior = AgentFactory(teams=[other], level=2, can_pick=True)
    tickets = [make_ticket(subject=f"Demande {i}") for i in range(6)]
    assert _counted() == _real()  # creation (and the analysis that may route or assign)
    _update(tickets[0], agent, team=team, assignee=agent)
    _update(tickets[1], agent, team=team)
    _update(tickets[2], agent, team=other, status="resolved")
    _update(tickets[3], agent, team=team, assignee=agent, status="waiting_customer")
    _update(tickets[3], agent, status="closed")
    _update(tickets[3], agent, status="open")  # reopened
    _update(tickets[0], agent, assignee=None)
    assert _counted() == _real()
    agent.is_available = True
    agent.capacity = 50
    agent.save()
    ticket_next(agent=agent)  # claimed outside ticket_change
    _update(tickets[4], agent, team=team, assignee=None)
    ticket_pick(agent=agent, ticket_id=tickets[4].pk)
    ticket_escalate(actor=agent, ticket_id=tickets[4].pk, reason="Technique", summary="Compteur", team=other)
    _update(tickets[5], agent, team=other, assignee=senior, priority="P1")
    assert _counted() == _real()
    # Snooze and every way of waking (issue 10): the job, a customer's message, an agent, a close
    # while asleep then its undo, a merge of a sleeping ticket.
    later = timezone.now() + timedelta(days=1)
    extra = [make_ticket(subject=f"Dort {i}", email="dort@example.test") for i in range(3)]
    _update(extra[0], agent, team=team, assignee=agent)
    _update(extra[1], agent, team=team)
    for t in (*tickets[:2], tickets[3], *extra):
        ticket_snooze(actor=agent, ticket_id=t.pk, until=later)
    assert _counted() == _real()
    ticket_snooze(actor=agent, ticket_id=tickets[0].pk, until=later + timedelta(hours=1))  # moved
    _update(tickets[3], agent, assignee=senior)  # handed over while asleep
    assert snooze_wake_due(now=later + timedelta(seconds=1)) == 5  # tickets[0] sleeps on
    assert _counted() == _real()
    for t in (tickets[0], extra[0], extra[1], extra[2]):
        ticket_snooze(actor=agent, ticket_id=t.pk, until=later)
    extra[0].refresh_from_db()
    ticket_customer_reply(ticket=extra[0], body="Alors ?", channel="web")
    ticket_wake(actor=agent, ticket_id=tickets[0].pk)
    closed = tickets_bulk(actor=agent, references=[extra[1].reference], action=Action.CLOSE)
    assert _counted() == _real()
    bulk_undo(actor=agent, bulk_id=closed.bulk_id)  # back open, still asleep until the job
    assert Ticket.objects.get(pk=extra[1].pk).snoozed_until is not None
    assert _counted() == _real()
    ticket_merge(actor=agent, source_id=extra[2].pk, target_id=extra[1].pk)
    assert _counted() == _real()
    counts = worklist_counts(actor=agent)
    awake = Ticket.objects.filter(is_open=True, snoozed_until__isnull=True)
    assert counts["open"] == awake.count()
    assert counts["recent"] == Ticket.objects.count()
    assert counts["mine"] == awake.filter(assignee=agent).count()
    assert counts["team"] == awake.filter(team=team).count()
    assert counts["unassigned"] == awake.filter(team=team, assignee=None).count()
    assert counts["snoozed"] == Ticket.objects.filter(is_open=True, snoozed_until__isnull=False).count() == 1


def test_merge_and_split_move_the_counters(make_ticket, agent, team):
    from comptoir.tickets.merge import ticket_merge, ticket_split
    from comptoir.tickets.services import ticket_customer_reply

    a = make_ticket(email="same@example.test", subject="Un")
    b = make_ticket(email="same@example.test", subject="Deux")
    _update(a, agent, team=team, assignee=agent)
    ticket_merge(actor=agent, source_id=a.pk, target_id=b.pk)
    assert _counted() == _real()
    b.refresh_from_db()
    message = ticket_customer_reply(ticket=b, body="Autre chose entièrement.", channel="web")
    ticket_split(actor=agent, ticket_id=b.pk, message_id=message.pk)
    assert _counted() == _real()


def test_recount_rebuilds_from_the_tickets(make_ticket, agent, team):
    for i in range(3):
        _update(make_ticket(subject=f"R{i}"), agent, team=team)
    ViewCounter.objects.all().update(count=999)
    ViewCounter.objects.create(team_key=12345, assignee_key=0, is_open=True, count=7)
    ticket_snooze(
        actor=agent, ticket_id=make_ticket(subject="Plus tard").pk, until=timezone.now() + timedelta(hours=5)
    )
    call_command("worklists", "recount")
    assert _counted() == _real()
    assert any(key[3] for key in _counted())  # the snoozed ticket has its own counter


def test_counts_on_the_page_never_count_the_tickets_table(
    desk_client, make_ticket, agent, team, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for i in range(3):
        _update(make_ticket(subject=f"C{i}"), agent, team=team, assignee=agent)
    with CaptureQueriesContext(connection) as ctx:
        assert desk_client.get("/desk/").status_code == 200
    ticket_table = Ticket._meta.db_table
    # A count of tickets reads "SELECT COUNT(*) ... FROM tickets" (sliced or not); the bell's
    # unread count, a subquery of another statement, is not one.
    queries = [q["sql"] for q in ctx.captured_queries]
    counting = [sql for sql in queries if sql.upper().startswith("SELECT COUNT(") and ticket_table in sql]
    assert counting == []
