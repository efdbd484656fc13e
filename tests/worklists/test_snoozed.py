"""Snoozed tickets on the desk, from the outside (issue 10): out of the active lists, the sidebar's
counts and "Waiting for you" until they wake; always reachable through the "Snoozed" view and
search, which say until when; woken early from the ticket page."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from comptoir.accounts.models import User
from comptoir.tickets.models import Ticket
from comptoir.tickets.services import ticket_flag, ticket_update
from comptoir.tickets.snooze import snooze_wake_due

from ..factories import AgentFactory

pytestmark = pytest.mark.django_db


def _client(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def _set(ticket: Ticket, actor: User, **fields) -> Ticket:  # type: ignore[no-untyped-def]
    ticket.refresh_from_db()
    ticket_update(ticket_id=ticket.pk, actor=actor, version=ticket.version, **fields)
    ticket.refresh_from_db()
    return ticket


def _snooze(client: Client, ticket: Ticket, hours: int) -> None:
    until = timezone.localtime() + timedelta(hours=hours)
    response = client.post(
        f"/desk/tickets/{ticket.reference}/snooze/", {"until": until.strftime("%Y-%m-%dT%H:%M")}
    )
    assert response.status_code == 302
    assert Ticket.objects.get(pk=ticket.pk).snoozed_until is not None


def _refs(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [t.reference for t in response.context["page"].items]


def _sidebar(html: str) -> dict[str, int]:
    """The counts the sidebar shows, by view."""
    found = re.findall(
        r'data-view="(\w+)"[^>]*>[^<]*<span class="count" data-testid="view-count">(\d+)<', html
    )
    return {view: int(n) for view, n in found}


@pytest.fixture
def desk(make_ticket, agent, team):  # type: ignore[no-untyped-def]
    colleague = AgentFactory(teams=[team], name="Béatrice Colleague")
    mine = [_set(make_ticket(subject=f"Le mien {i}"), agent, team=team, assignee=agent) for i in range(3)]
    theirs = _set(make_ticket(subject="Celui de Béatrice"), agent, team=team, assignee=colleague)
    return {"agent": agent, "colleague": colleague, "team": team, "mine": mine, "theirs": theirs}


def test_snoozed_view_lists_until_when_and_counts_move_with_snooze_and_wake(desk):
    client = _client(desk["agent"])
    first, second, third = desk["mine"]
    before = _sidebar(client.get("/desk/").content.decode())
    assert before["mine"] == 3 and before["snoozed"] == 0 and before["open"] == 4

    _snooze(client, second, hours=30)
    _snooze(client, first, hours=5)
    _snooze(_client(desk["colleague"]), desk["theirs"], hours=10)
    response = client.get("/desk/")
    assert _refs(response) == [third.reference]  # out of "My tickets"
    counts = _sidebar(response.content.decode())
    assert counts["mine"] == 1 and counts["team"] == 1 and counts["open"] == 1
    assert counts["snoozed"] == 3 and counts["recent"] == 4  # "Recently updated" lists them all

    # Every snoozed ticket the agent may see, the one to wake soonest first, saying until when.
    response = client.get("/desk/", {"view": "snoozed"})
    assert _refs(response) == [first.reference, desk["theirs"].reference, second.reference]
    html = response.content.decode()
    assert "<h1>Snoozed</h1>" in html and html.count('data-testid="snoozed-until"') == 3
    until = timezone.localtime(Ticket.objects.get(pk=first.pk).snoozed_until)
    assert f"Snoozed until {until:%m/%d/%Y} " in html
    # "Assignee: me" narrows it to the agent's own.
    mine = client.get("/desk/", {"view": "snoozed", "assignee": "me"})
    assert _refs(mine) == [first.reference, second.reference]
    # Another sort is allowed there; the wake sort elsewhere is ignored, not an error.
    assert client.get("/desk/", {"view": "snoozed", "sort": "newest"}).status_code == 200
    assert _refs(client.get("/desk/", {"view": "mine", "sort": "wake"})) == [third.reference]

    # The ticket page, opened from the view, says until when and wakes it early.
    page = client.get(f"/desk/tickets/{first.reference}/", {"from": "view=snoozed"}).content.decode()
    assert 'data-testid="snoozed"' in page and 'data-testid="wake"' in page
    assert 'data-testid="next-in-view"' in page
    woke = client.post(f"/desk/tickets/{first.reference}/wake/", follow=True)
    assert "The ticket is back in the lists." in " ".join(str(m) for m in woke.context["messages"])
    counts = _sidebar(client.get("/desk/").content.decode())
    assert counts["mine"] == 2 and counts["snoozed"] == 2

    # The job wakes the others when their time comes: back in the lists and counts.
    assert snooze_wake_due(now=timezone.now() + timedelta(days=2)) == 2
    response = client.get("/desk/")
    assert sorted(_refs(response)) == sorted(t.reference for t in desk["mine"])
    counts = _sidebar(response.content.decode())
    assert counts["mine"] == 3 and counts["snoozed"] == 0 and counts["open"] == 4
    assert _refs(client.get("/desk/", {"view": "snoozed"})) == []


def test_a_customer_message_brings_it_back_into_the_counts(desk):
    from comptoir.tickets.tracking import make_token

    client = _client(desk["agent"])
    ticket = desk["mine"][0]
    _snooze(client, ticket, hours=48)
    assert _sidebar(client.get("/desk/").content.decode())["mine"] == 2
    Client().post(
        f"/track/{make_token(ticket.tracking_uid)}/", {"body": "Des nouvelles ?", "submission_id": "s1"}
    )
    response = client.get("/desk/")
    assert ticket.reference in _refs(response)
    counts = _sidebar(response.content.decode())
    assert counts["mine"] == 3 and counts["snoozed"] == 0


def test_waiting_for_you_leaves_a_snoozed_ticket_out_until_it_wakes(desk):
    agent = desk["agent"]
    client = _client(agent)
    ticket = desk["mine"][0]
    ticket_flag(ticket=Ticket.objects.get(pk=ticket.pk), linked_to=None, reason="Client fâché")

    def waiting(view: str = "mine") -> str:
        html = client.get("/desk/", {"view": view}).content.decode()
        section = re.search(r'data-testid="waiting".*?</section>', html, re.S)
        return section.group(0) if section else ""

    assert ticket.reference in waiting() and ticket.reference in waiting("waiting")
    _snooze(client, ticket, hours=3)
    assert ticket.reference not in waiting() and ticket.reference not in waiting("waiting")
    assert client.get("/desk/", {"view": "waiting"}).context["counts"]["waiting"] == 0
    # Still reachable, and flagged all the same once it wakes.
    assert ticket.reference in _refs(client.get("/desk/", {"view": "snoozed"}))
    snooze_wake_due(now=timezone.now() + timedelta(hours=4))
    assert ticket.reference in waiting() and ticket.reference in waiting("waiting")


def test_search_finds_a_snoozed_ticket_and_says_so(desk, make_ticket, api_client):
    client = _client(desk["agent"])
    sleeping = _set(make_ticket(subject="Compteur électrique bloqué"), desk["agent"], team=desk["team"])
    awake = _set(make_ticket(subject="Compteur électrique neuf"), desk["agent"], team=desk["team"])
    _snooze(client, sleeping, hours=6)
    html = client.get("/desk/search/", {"q": "compteur electrique"}).content.decode()
    rows = dict(re.findall(r'data-reference="([^"]+)">(.*?)</li>', html, re.S))
    assert set(rows) == {sleeping.reference, awake.reference}
    assert 'data-testid="search-snoozed"' in rows[sleeping.reference]
    assert "Snoozed until" in rows[sleeping.reference]
    assert "Snoozed until" not in rows[awake.reference]
    by_reference = client.get("/desk/search/", {"q": sleeping.reference}).content.decode()
    assert 'data-testid="search-snoozed"' in by_reference
    # The API says it too.
    found = api_client.get("/api/v1/search", {"q": "compteur electrique"}).json()["tickets"]
    snoozed = {hit["reference"]: hit["snoozed_until"] for hit in found}
    assert snoozed[sleeping.reference] is not None and snoozed[awake.reference] is None
    # Once awake, nothing more to say.
    client.post(f"/desk/tickets/{sleeping.reference}/wake/")
    html = client.get("/desk/search/", {"q": "compteur electrique"}).content.decode()
    assert 'data-testid="search-snoozed"' not in html


def test_only_agents_reach_the_snoozed_view_and_wake(desk):
    client = _client(desk["agent"])
    ticket = desk["mine"][0]
    _snooze(client, ticket, hours=3)
    outsider = _client(AgentFactory(is_agent=False, name="Pas agent"))
    assert outsider.get("/desk/", {"view": "snoozed"}).status_code == 404
    assert outsider.post(f"/desk/tickets/{ticket.reference}/wake/").status_code == 404
    assert Ticket.objects.get(pk=ticket.pk).snoozed_until is not None
    assert Client().get("/desk/", {"view": "snoozed"}).status_code == 302  # to the sign-in page
