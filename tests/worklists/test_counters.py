"""The sidebar's counters equal a real COUNT after every kind of change, and can be rebuilt."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db.models import Count

from comptoir.assignment.services import ticket_escalate, ticket_next, ticket_pick
from comptoir.tickets.models import Ticket
from comptoir.tickets.services import ticket_update
from comptoir.worklists.models import ViewCounter
from comptoir.worklists.selectors import worklist_counts

from ..factories import AgentFactory, TeamFactory

pytestmark = pytest.mark.django_db


def _real() -> dict[tuple[int, int, bool], int]:
    rows = Ticket.objects.values_list("team_id", "assignee_id", "is_open").annotate(n=Count("id")).order_by()
    return {(team or 0, assignee or 0, is_open): n for team, assignee, is_open, n in rows}


def _counted() -> dict[tuple[int, int, bool], int]:
    return {(c.team_key, c.assignee_key, c.is_open): c.count for c in ViewCounter.objects.all() if c.count}


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
    counts = worklist_counts(actor=agent)
    real_open = Ticket.objects.filter(is_open=True).count()
    assert counts["open"] == real_open
    assert counts["recent"] == Ticket.objects.count()
    assert counts["mine"] == Ticket.objects.filter(is_open=True, assignee=agent).count()
    assert counts["team"] == Ticket.objects.filter(is_open=True, team=team).count()
    assert counts["unassigned"] == Ticket.objects.filter(is_open=True, team=team, assignee=None).count()


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
    call_command("worklists", "recount")
    assert _counted() == _real()


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
