"""Issue 10, items 5 to 7 on the desk: approvals, collisions before a reply, presence, live polls."""

from __future__ import annotations

import re

import pytest
from django.test import Client, TestCase
from django.urls import reverse

from comptoir.outbox.models import Delivery
from comptoir.tickets.models import Message, Ticket
from comptoir.tickets.services import ticket_agent_message, ticket_customer_reply
from tests.factories import AgentFactory

pytestmark = pytest.mark.django_db


def _desk(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def _page(client: Client, ticket: Ticket) -> str:
    response = client.get(
        reverse("desk:ticket", kwargs={"reference": ticket.reference}), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    return response.content.decode()


def _seen(html: str) -> str:
    return re.search(r'name="seen_message" value="(\d+)"', html).group(1)


def _reply(client: Client, ticket: Ticket, body: str, **extra: str):  # type: ignore[no-untyped-def]
    return client.post(
        reverse("desk:ticket_message", kwargs={"reference": ticket.reference}),
        {"body": body, "internal": "", "then": "", **extra},
        HTTP_ACCEPT_LANGUAGE="en",
    )


def _public(ticket: Ticket) -> list[str]:
    return list(ticket.messages.filter(kind=Message.Kind.PUBLIC).values_list("body", flat=True))


def test_a_customer_message_after_the_page_loaded_holds_the_reply_until_confirmed(make_ticket, agent):
    ticket = make_ticket()
    Ticket.objects.filter(pk=ticket.pk).update(assignee=agent)
    desk = _desk(agent)
    seen = _seen(_page(desk, ticket))
    ticket_customer_reply(ticket=ticket, body="En fait, c'est réglé, merci !", channel="web")

    held = _reply(desk, ticket, "Nous regardons votre facture.", seen_message=seen)
    assert held.status_code == 409
    html = held.content.decode()
    assert 'data-testid="reply-check"' in html and "new messages arrived" in html
    assert "c&#x27;est réglé" in html or "c'est réglé" in html
    assert "Nous regardons votre facture." in html, "what the agent wrote is kept in the form"
    assert not any("Nous regardons" in b for b in _public(ticket)), "nothing sent"
    assert not Delivery.objects.filter(kind=Delivery.Kind.REPLY, ticket_id=ticket.pk).exists()

    confirmed = _reply(desk, ticket, "Nous regardons votre facture.", seen_message=_seen(html))
    assert confirmed.status_code == 302
    assert any("Nous regardons" in b for b in _public(ticket))


def test_another_agents_reply_since_the_page_loaded_is_shown_first(make_ticket, agent, team):
    colleague = AgentFactory(teams=[team], name="Inès Gagnon")
    ticket = make_ticket()
    Ticket.objects.filter(pk=ticket.pk).update(assignee=agent)
    desk = _desk(agent)
    seen = _seen(_page(desk, ticket))
    ticket_agent_message(ticket_id=ticket.pk, actor=colleague, body="Déjà répondu par Inès.", internal=False)
    held = _reply(desk, ticket, "Ma réponse.", seen_message=seen)
    assert held.status_code == 409
    assert "Inès Gagnon replied:" in held.content.decode()
    # An internal note is no reply to the customer: never held back.
    note = desk.post(
        reverse("desk:ticket_message", kwargs={"reference": ticket.reference}),
        {"body": "Note", "internal": "1", "then": "", "seen_message": seen},
    )
    assert note.status_code == 302


def test_a_reply_on_an_unassigned_ticket_takes_it(make_ticket, agent):
    ticket = make_ticket()
    Ticket.objects.filter(pk=ticket.pk).update(assignee=None)
    desk = _desk(agent)
    response = _reply(desk, ticket, "Bonjour, je m'en occupe.", seen_message=_seen(_page(desk, ticket)))
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.assignee_id == agent.pk


def test_a_reply_on_a_ticket_another_agent_holds_warns_then_goes_when_confirmed(make_ticket, agent, team):
    holder = AgentFactory(teams=[team], name="Marc Roy")
    ticket = make_ticket()
    Ticket.objects.filter(pk=ticket.pk).update(assignee=holder)
    desk = _desk(agent)
    seen = _seen(_page(desk, ticket))
    warned = _reply(desk, ticket, "Réponse en double ?", seen_message=seen)
    assert warned.status_code == 409
    html = warned.content.decode()
    assert "Marc Roy holds this ticket: your reply was not sent." in html
    assert _public(ticket) == []
    holder_ok = re.search(r'name="holder_ok" value="(\d+)"', html).group(1)
    sent = _reply(desk, ticket, "Réponse en double ?", seen_message=_seen(html), holder_ok=holder_ok)
    assert sent.status_code == 302
    assert _public(ticket) == ["Réponse en double ?"] or _public(ticket)[0].startswith("Réponse en double ?")
    ticket.refresh_from_db()
    assert ticket.assignee_id == holder.pk, "the holder keeps it"


def test_presence_is_shown_to_other_agents_and_only_to_those_allowed(make_ticket, agent, team):
    other = AgentFactory(teams=[team], name="Zoé Pelletier")
    ticket = make_ticket()
    live = reverse("desk:ticket_live", kwargs={"reference": ticket.reference})
    assert _desk(other).get(live, {"v": "0", "writing": "1"}).status_code == 200
    html = _page(_desk(agent), ticket)
    assert "Zoé Pelletier is writing a reply" in html
    assert "is viewing" not in html, "one does not see oneself"
    # On the lists, through the desk's poll.
    answer = _desk(agent).get(reverse("desk:live"), {"refs": ticket.reference}).json()
    assert answer["people"][ticket.reference] == [{"name": "Zoé Pelletier", "writing": True}]
    # Someone who may not see tickets learns nothing, on the page or the polls.
    outsider = AgentFactory(is_agent=False)
    client = _desk(outsider)
    assert client.get(live).status_code == 404
    assert client.get(reverse("desk:live"), {"refs": ticket.reference}).status_code == 404
    assert client.get(reverse("desk:ticket", kwargs={"reference": ticket.reference})).status_code == 404


def test_the_ticket_poll_answers_unchanged_then_the_changed_parts(make_ticket, agent):
    ticket = make_ticket()
    ticket.refresh_from_db()
    desk = _desk(agent)
    live = reverse("desk:ticket_live", kwargs={"reference": ticket.reference})
    assert desk.get(live, {"v": str(ticket.version), "p": ""}).status_code == 204
    with TestCase.captureOnCommitCallbacks(execute=True):
        ticket_customer_reply(ticket=ticket, body="Une nouvelle précision.", channel="web")
    changed = desk.get(live, {"v": str(ticket.version), "p": ""}, HTTP_ACCEPT_LANGUAGE="en")
    assert changed.status_code == 200
    html = changed.content.decode()
    assert "Une nouvelle précision." in html
    assert f'data-version="{ticket.version + 1}"' in html
    assert 'data-live-part="conversation"' in html and 'data-testid="message-form"' not in html
    assert desk.get(live, {"v": str(ticket.version + 1), "p": ""}).status_code == 204


def test_the_desk_poll_answers_unchanged_until_the_bell_or_the_desk_moves(make_ticket, agent, team):
    ticket = make_ticket()
    desk = _desk(agent)
    first = desk.get(reverse("desk:live")).json()
    same = {"unread": first["unread"], "stamp": first["stamp"], "p": first["presence"]}
    assert desk.get(reverse("desk:live"), same).status_code == 204
    boss = AgentFactory(teams=[team], can_pick=True)
    ticket.refresh_from_db()
    with TestCase.captureOnCommitCallbacks(execute=True):
        _desk(boss).post(
            reverse("desk:ticket_change", kwargs={"reference": ticket.reference}),
            {"version": ticket.version, "status": ticket.status, "priority": ticket.priority,
             "team": ticket.team_id or "", "assignee": agent.pk, "category": ""},
        )  # fmt: skip
    moved = desk.get(reverse("desk:live"), same)
    assert moved.status_code == 200
    assert moved.json()["unread"] == first["unread"] + 1
    assert moved.json()["stamp"] != first["stamp"]


def test_approvals_list_and_the_juniors_waiting_label(make_ticket, team):
    senior = AgentFactory(teams=[team], level=2, name="Sénior Tremblay")
    junior = AgentFactory(teams=[team], mentor=senior, name="Junior Côté")
    stranger = AgentFactory(teams=[team], level=2)
    ticket = make_ticket()
    Ticket.objects.filter(pk=ticket.pk).update(priority="P1", assignee=junior)
    message = ticket_agent_message(
        ticket_id=ticket.pk, actor=junior, body="Une équipe arrive demain.", internal=False
    )
    assert message.held_for_id == senior.pk

    mine = _page(_desk(junior), ticket)
    assert 'data-testid="reply-waiting"' in mine and "Waiting for approval" in mine
    assert 'data-testid="reply-sent"' not in mine

    listing = _desk(senior).get(reverse("desk:approvals"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Une équipe arrive demain." in listing and ticket.reference in listing
    assert "Une équipe arrive demain." not in _desk(stranger).get(reverse("desk:approvals")).content.decode()

    approve = reverse(
        "desk:message_approve", kwargs={"reference": ticket.reference, "message_id": message.pk}
    )
    response = _desk(senior).post(approve, {"back": "approvals"})
    assert response.status_code == 302 and response["Location"] == reverse("desk:approvals")
    message.refresh_from_db()
    assert message.held_for_id is None
    assert Delivery.objects.filter(kind=Delivery.Kind.REPLY, ticket_id=ticket.pk).exists()
    after = _page(_desk(junior), ticket)
    assert 'data-testid="reply-sent"' in after and 'data-testid="reply-waiting"' not in after
