"""'Waiting on me' lists escalations to my level-2 teams that nobody holds yet (issue 10)."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from comptoir.tickets.models import Ticket
from comptoir.tickets.selectors import WAITING_LIMIT
from tests.factories import AgentFactory, TeamFactory

pytestmark = pytest.mark.django_db


def _login(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def _waiting(client: Client) -> tuple[str, int]:
    response = client.get("/desk/", {"view": "waiting"}, HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    section = re.search(r'data-testid="waiting".*?</section>', html, re.S)
    return (section.group(0) if section else ""), response.context["counts"]["waiting"]


def test_an_escalation_waits_on_the_receiving_level2_team_until_taken(team, make_ticket):
    experts = TeamFactory(name="Experts", level=2)
    other_experts = TeamFactory(name="Autres experts", level=2)
    junior = AgentFactory(teams=[team])
    specialist = AgentFactory(teams=[experts], level=2)
    elsewhere = AgentFactory(teams=[other_experts], level=2)
    ticket = make_ticket()
    junior_client = _login(junior)
    escalated = junior_client.post(
        f"/desk/tickets/{ticket.reference}/escalate/",
        {"reason": "Technique", "summary": "Compteur en panne.", "team": str(experts.pk)},
    )
    assert escalated.status_code == 302
    ticket.refresh_from_db()
    assert ticket.level == 2 and ticket.team_id == experts.pk and ticket.assignee_id is None

    specialist_client = _login(specialist)
    section, count = _waiting(specialist_client)
    assert ticket.reference in section and "Escalated to your level-2 team" in section
    assert count == len(re.findall(r'data-testid="waiting-row"', section)) == 1
    # Not another level-2 team's, nor the level-1 agent's who escalated it.
    assert ticket.reference not in _waiting(_login(elsewhere))[0]
    assert ticket.reference not in _waiting(junior_client)[0]
    # Once a specialist takes it, it no longer waits on anyone.
    assert specialist_client.post(f"/desk/tickets/{ticket.reference}/pick/").status_code == 302
    ticket.refresh_from_db()
    assert ticket.assignee_id == specialist.pk
    section, count = _waiting(specialist_client)
    assert ticket.reference not in section and count == 0


def test_escalations_waiting_are_bounded(team, make_ticket):
    experts = TeamFactory(name="Experts", level=2)
    specialist = AgentFactory(teams=[experts], level=2)
    tickets = [make_ticket() for _ in range(WAITING_LIMIT + 2)]
    Ticket.objects.filter(pk__in=[t.pk for t in tickets]).update(level=2, team=experts, assignee=None)
    section, count = _waiting(_login(specialist))
    assert count == WAITING_LIMIT == len(re.findall(r'data-kind="escalated"', section))
