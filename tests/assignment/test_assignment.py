"""Fair assignment: next ticket, picking permission, skips, auto-assignment, escalation, pairing."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from comptoir.accounts.services import api_token_create
from comptoir.assignment.selectors import assignment_stats
from comptoir.assignment.services import (
    ticket_deescalate,
    ticket_escalate,
    ticket_next,
    ticket_skip,
)
from comptoir.common.exceptions import Conflict, InvalidInput, PermissionDenied
from comptoir.outbox.models import Delivery
from comptoir.routing.models import Skill
from comptoir.tickets.models import Category, Message, Ticket, TicketEvent
from comptoir.tickets.services import ticket_agent_message, ticket_update
from tests.factories import AgentFactory, TeamFactory


def _in_team(ticket: Ticket, team, *, minutes_due: int, **fields) -> Ticket:
    Ticket.objects.filter(pk=ticket.pk).update(
        team=team, due_at=timezone.now() + timedelta(minutes=minutes_due), **fields
    )
    return Ticket.objects.get(pk=ticket.pk)


def _api(user) -> Client:
    return Client(headers={"Authorization": f"Bearer {api_token_create(user=user)}"})


@pytest.mark.django_db
def test_next_ticket_gives_the_most_urgent_eligible_one(make_ticket, team):
    agent = AgentFactory(teams=[team], languages="fr")
    later = _in_team(make_ticket(subject="later"), team, minutes_due=120)
    urgent = _in_team(make_ticket(subject="urgent"), team, minutes_due=10)
    english = _in_team(
        make_ticket(subject="english", language="en", body="My bill is wrong."), team, minutes_due=1
    )
    Ticket.objects.filter(pk=english.pk).update(language="en")
    escalated = _in_team(make_ticket(subject="l2"), team, minutes_due=0, level=2)
    other_team = _in_team(make_ticket(subject="other"), TeamFactory(name="Autre"), minutes_due=0)

    first = ticket_next(agent=agent)
    assert first.pk == urgent.pk and first.assignee_id == agent.pk
    assert ticket_next(agent=agent).pk == later.pk
    assert ticket_next(agent=agent) is None  # English, level 2 and another team's ticket are not for them
    for t in (english, escalated, other_team):
        assert Ticket.objects.get(pk=t.pk).assignee_id is None
    assert TicketEvent.objects.filter(ticket=urgent, field="next", actor=agent).exists()


@pytest.mark.django_db
def test_level_2_agents_take_escalated_tickets_first_and_skills_filter(make_ticket, team):
    network = Skill.objects.create(slug="reseau", name="Réseau")
    category = Category.objects.create(slug="fibre", name_en="Fibre", name_fr="Fibre", skill=network)
    specialist = AgentFactory(teams=[team], level=2)
    l1 = _in_team(make_ticket(subject="l1"), team, minutes_due=1)
    l2 = _in_team(make_ticket(subject="l2"), team, minutes_due=50, level=2)
    skilled = _in_team(make_ticket(subject="skilled"), team, minutes_due=0, category=category)
    assert ticket_next(agent=specialist).pk == l2.pk  # escalations before level-1 work
    assert ticket_next(agent=specialist).pk == l1.pk  # lacks the skill for the fibre ticket
    assert ticket_next(agent=specialist) is None
    specialist.skills.add(network)
    assert ticket_next(agent=specialist).pk == skilled.pk


@pytest.mark.django_db
def test_capacity_and_availability_are_respected(make_ticket, team):
    agent = AgentFactory(teams=[team], capacity=1)
    _in_team(make_ticket(), team, minutes_due=1)
    _in_team(make_ticket(), team, minutes_due=2)
    assert ticket_next(agent=agent) is not None
    with pytest.raises(Conflict):
        ticket_next(agent=agent)
    away = AgentFactory(teams=[team], is_available=False)
    with pytest.raises(Conflict):
        ticket_next(agent=away)


@pytest.mark.django_db(transaction=True)
def test_many_agents_asking_at_once_never_get_the_same_ticket(make_ticket, team):
    tickets = [_in_team(make_ticket(), team, minutes_due=i) for i in range(6)]
    agents = [AgentFactory(teams=[team]) for _ in range(8)]
    results: dict[int, int | None] = {}
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(agents))

    def ask(agent) -> None:  # type: ignore[no-untyped-def]
        try:
            barrier.wait()
            got = ticket_next(agent=agent)
            results[agent.pk] = got.pk if got else None
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()  # this thread's own connection: the test database must drop

    threads = [threading.Thread(target=ask, args=(a,)) for a in agents]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    given = [pk for pk in results.values() if pk is not None]
    assert sorted(given) == sorted(t.pk for t in tickets)  # each ticket once, none lost
    assert list(results.values()).count(None) == 2
    for ticket in tickets:
        owner = Ticket.objects.get(pk=ticket.pk).assignee_id
        assert results[owner] == ticket.pk
        assert TicketEvent.objects.filter(ticket=ticket, field="assignee").count() == 1


@pytest.mark.django_db
def test_api_queue_next(make_ticket, team):
    agent = AgentFactory(teams=[team])
    ticket = _in_team(make_ticket(), team, minutes_due=5)
    response = _api(agent).post("/api/v1/queue/next")
    assert response.status_code == 200
    assert response.json()["reference"] == ticket.reference
    assert response.json()["assignee"] == agent.email
    assert _api(agent).post("/api/v1/queue/next").status_code == 204


@pytest.mark.django_db
def test_picking_is_a_permission_off_for_level_1(make_ticket, team):
    ticket = _in_team(make_ticket(), team, minutes_due=5)
    junior = AgentFactory(teams=[team])
    response = _api(junior).post(f"/api/v1/tickets/{ticket.reference}/pick")
    assert response.status_code == 403
    # The edit form is no back door.
    response = _api(junior).patch(
        f"/api/v1/tickets/{ticket.reference}",
        {"version": ticket.version, "assignee": junior.email},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert Ticket.objects.get(pk=ticket.pk).assignee_id is None
    allowed = AgentFactory(teams=[team], can_pick=True)
    assert _api(allowed).post(f"/api/v1/tickets/{ticket.reference}/pick").status_code == 200
    supervisor = AgentFactory(teams=[team], is_supervisor=True)
    assert supervisor.may_pick
    assert _api(supervisor).post(f"/api/v1/tickets/{ticket.reference}/pick").status_code == 409  # taken
    assert TicketEvent.objects.filter(ticket=ticket, field="pick", actor=allowed).exists()
    # A supervisor may reassign; it is history and counted.
    ticket.refresh_from_db()
    ticket_update(ticket_id=ticket.pk, actor=supervisor, version=ticket.version, assignee=supervisor)
    stats = assignment_stats(since=timezone.now() - timedelta(hours=1))
    assert stats["picks"] == 1 and stats["reassignments"] == 1


@pytest.mark.django_db
def test_skip_needs_a_reason_is_recorded_and_not_offered_again(make_ticket, team):
    agent = AgentFactory(teams=[team])
    ticket = _in_team(make_ticket(), team, minutes_due=5)
    assert ticket_next(agent=agent).pk == ticket.pk
    with pytest.raises(InvalidInput):
        ticket_skip(agent=agent, ticket_id=ticket.pk, reason=" ")
    ticket_skip(agent=agent, ticket_id=ticket.pk, reason="Needs the billing system I lack")
    assert Ticket.objects.get(pk=ticket.pk).assignee_id is None
    assert ticket_next(agent=agent) is None
    assert ticket_next(agent=AgentFactory(teams=[team])).pk == ticket.pk
    assert assignment_stats(since=timezone.now() - timedelta(hours=1))["skips"] == 1
    with pytest.raises(PermissionDenied):
        ticket_skip(agent=agent, ticket_id=ticket.pk, reason="not mine")


@pytest.mark.django_db
def test_auto_assignment_goes_to_the_least_loaded_available_agent(make_ticket, settings):
    from comptoir.triage.models import TriageRule

    team = TeamFactory(name="Facturation", auto_assign=True)
    busy = AgentFactory(teams=[team], email="busy@comptoir.test")
    free = AgentFactory(teams=[team], email="free@comptoir.test")
    AgentFactory(teams=[team], email="away@comptoir.test", is_available=False)
    TriageRule.objects.create(name="billing", keywords="facture", set_team=team)
    first = make_ticket(body="Ma facture est fausse.")
    Ticket.objects.filter(pk=first.pk).update(assignee=busy)
    second = make_ticket(body="Encore une facture fausse.")
    assert Ticket.objects.get(pk=second.pk).assignee_id == free.pk


@pytest.mark.django_db
def test_escalation_needs_reason_and_summary_is_reversible_and_measured(make_ticket, team):
    agent = AgentFactory(teams=[team])
    l2_team = TeamFactory(name="Niveau 2", level=2)
    ticket = _in_team(make_ticket(), team, minutes_due=5)
    with pytest.raises(InvalidInput):
        ticket_escalate(actor=agent, ticket_id=ticket.pk, reason="router", summary="")
    ticket_escalate(
        actor=agent, ticket_id=ticket.pk, reason="Modem fault", summary="Rebooted twice; light stays red.",
        team=l2_team,
    )  # fmt: skip
    ticket.refresh_from_db()
    assert ticket.level == 2 and ticket.team == l2_team and ticket.assignee_id is None
    note = Message.objects.filter(ticket=ticket, kind="internal").last()
    assert "Rebooted twice" in note.body
    specialist = AgentFactory(teams=[l2_team], level=2)  # de-escalating is level 2's call (issue 8)
    ticket_deescalate(
        actor=specialist, ticket_id=ticket.pk, reason="Specialist says L1 can finish", team=team
    )
    ticket.refresh_from_db()
    assert ticket.level == 1
    # Resolution share at level 1: the escalated ticket does not count as solved at level 1.
    simple = make_ticket()
    for t in (ticket, simple):
        t.refresh_from_db()
        ticket_update(ticket_id=t.pk, actor=agent, version=t.version, status="resolved")
    stats = assignment_stats(since=timezone.now() - timedelta(hours=1))
    assert stats["escalations"] == 1
    assert stats["resolved"] == 2 and stats["resolved_at_level_1"] == 1
    assert stats["level_1_resolution_share"] == 0.5


@pytest.mark.django_db
def test_juniors_urgent_reply_waits_for_the_senior(make_ticket, team, client):
    senior = AgentFactory(teams=[team], level=2, email="senior@comptoir.test")
    junior = AgentFactory(teams=[team], mentor=senior)
    ticket = make_ticket()
    Ticket.objects.filter(pk=ticket.pk).update(priority="P2")
    ticket.refresh_from_db()
    message = ticket_agent_message(ticket=ticket, actor=junior, body="Voici la solution.", internal=False)
    assert message.held_for_id == senior.pk
    assert not Delivery.objects.filter(idempotency_key=f"reply:{message.pk}").exists()
    ticket.refresh_from_db()
    assert ticket.first_response_at is None
    from comptoir.tickets.tracking import tracking_url

    page = client.get(tracking_url(ticket.tracking_uid)).content.decode()
    assert "Voici la solution." not in page  # the customer does not see it yet
    assert _api(AgentFactory(teams=[team])).post(
        f"/api/v1/tickets/{ticket.reference}/messages/{message.pk}/approve"
    ).status_code == 403  # fmt: skip
    response = _api(senior).post(f"/api/v1/tickets/{ticket.reference}/messages/{message.pk}/approve")
    assert response.status_code == 200 and response.json()["awaiting_approval_by"] is None
    assert Delivery.objects.filter(idempotency_key=f"reply:{message.pk}").exists()
    assert "Voici la solution." in client.get(tracking_url(ticket.tracking_uid)).content.decode()
    # On a P3 ticket the junior's reply goes straight out.
    normal = make_ticket()
    assert ticket_agent_message(ticket=normal, actor=junior, body="Ok", internal=False).held_for_id is None


@pytest.mark.django_db
def test_desk_next_ticket_button_and_escalation_form(make_ticket, team):
    agent = AgentFactory(teams=[team])
    ticket = _in_team(make_ticket(), team, minutes_due=5)
    desk = Client()
    desk.force_login(agent)
    assert "Next ticket" in desk.get("/desk/").content.decode()
    response = desk.post("/desk/next/")
    assert response.status_code == 302 and response["Location"].endswith(f"/desk/tickets/{ticket.reference}/")
    response = desk.post(f"/desk/tickets/{ticket.reference}/escalate/", {"reason": "x", "summary": ""})
    assert Ticket.objects.get(pk=ticket.pk).level == 1  # refused: no summary
    desk.post(f"/desk/tickets/{ticket.reference}/escalate/", {"reason": "Panne réseau", "summary": "Détails"})
    assert Ticket.objects.get(pk=ticket.pk).level == 2
