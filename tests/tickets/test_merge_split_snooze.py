"""Merge, split and snooze, driven from the desk's ticket page and the portal, as people do."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from comptoir.common.jobs import registered_jobs
from comptoir.customers.services import CustomerData
from comptoir.intake.services import InboundMessage, receive
from comptoir.outbox.models import Delivery
from comptoir.tickets.models import Message, Ticket, TicketEvent, TicketMerge
from comptoir.tickets.snooze import snooze_wake_due
from comptoir.tickets.tracking import make_token

from ..factories import AgentFactory

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def _flash(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


def _history(client: Client, ticket: Ticket) -> str:
    return client.get(f"/desk/tickets/{ticket.reference}/").content.decode()


def test_merge_moves_messages_closes_the_other_tells_the_customer_and_the_link_follows(make_ticket, agent):
    client = _client(agent)
    survivor = make_ticket(email="lea@example.test", subject="Facture de mars", body="Ma facture est fausse.")
    duplicate = make_ticket(
        email="lea@example.test", subject="Re facture", body="J'ai été facturée deux fois."
    )
    response = client.post(
        f"/desk/tickets/{duplicate.reference}/merge/", {"target": survivor.reference.lower()}, follow=True
    )
    assert f"{duplicate.reference} was merged into {survivor.reference}; the customer was told." in _flash(
        response
    )
    assert response.request["PATH_INFO"] == f"/desk/tickets/{survivor.reference}/"
    bodies = list(Message.objects.filter(ticket=survivor).order_by("id").values_list("body", flat=True))
    assert bodies == ["Ma facture est fausse.", "J'ai été facturée deux fois."]
    duplicate.refresh_from_db()
    assert (duplicate.status, duplicate.is_open, duplicate.merged_into_id) == ("closed", False, survivor.pk)
    assert f"merged {duplicate.reference} into this ticket" in _history(client, survivor)
    page = _history(client, duplicate)
    assert f"merged this ticket into {survivor.reference} and closed it." in page
    assert 'data-testid="merged-into"' in page
    notice = Delivery.objects.get(idempotency_key__startswith="merge:")
    assert notice.recipient == "lea@example.test" and notice.ticket_id == survivor.pk
    assert make_token(survivor.tracking_uid) in notice.body and duplicate.reference in notice.body
    # The merged request's tracking link leads to the survivor, and so does a reply posted there.
    portal = Client(HTTP_ACCEPT_LANGUAGE="fr")
    old_link = f"/track/{make_token(duplicate.tracking_uid)}/"
    followed = portal.get(old_link)
    assert (
        followed.status_code == 302 and followed["Location"] == f"/track/{make_token(survivor.tracking_uid)}/"
    )
    assert "été facturée deux fois." in portal.get(followed["Location"]).content.decode()
    # An email reply to the merged ticket's reference joins the survivor too.
    receive(
        InboundMessage(
            channel="email", customer=CustomerData(email="lea@example.test"),
            subject=f"Re: [{duplicate.reference}] Re facture", text="Toujours pas réglé.", language="fr",
            subject_reference=duplicate.reference,
        )
    )  # fmt: skip
    assert Message.objects.filter(ticket=survivor, body="Toujours pas réglé.").exists()


def test_merge_undo_while_no_new_message_then_refused(make_ticket, agent):
    client = _client(agent)
    survivor = make_ticket(email="paul@example.test")
    duplicate = make_ticket(email="paul@example.test", body="Deuxième message.")
    client.post(f"/desk/tickets/{duplicate.reference}/merge/", {"target": survivor.reference})
    merge = TicketMerge.objects.get()
    assert 'data-testid="merge-undo"' in _history(client, survivor)
    response = client.post(f"/desk/tickets/{survivor.reference}/merges/{merge.pk}/undo/", follow=True)
    assert "The merge was undone" in _flash(response)
    duplicate.refresh_from_db()
    assert duplicate.merged_into_id is None and duplicate.is_open
    assert list(Message.objects.filter(ticket=duplicate).values_list("body", flat=True)) == [
        "Deuxième message."
    ]
    assert "undid the merge with" in _history(client, duplicate)
    # Merged again, then the customer writes: undoing would split their conversation; refused.
    client.post(f"/desk/tickets/{duplicate.reference}/merge/", {"target": survivor.reference})
    merge = TicketMerge.objects.latest("id")
    portal = Client()
    portal.post(
        f"/track/{make_token(survivor.tracking_uid)}/", {"body": "Du nouveau.", "submission_id": "x1"}
    )
    response = client.post(f"/desk/tickets/{survivor.reference}/merges/{merge.pk}/undo/", follow=True)
    assert "A new message arrived on" in _flash(response) and "it cannot be undone" in _flash(response)
    assert Ticket.objects.get(pk=duplicate.pk).merged_into_id == survivor.pk


def test_merge_refusals(make_ticket, agent):
    client = _client(agent)
    mine = make_ticket(email="a@example.test")
    theirs = make_ticket(email="b@example.test")
    response = client.post(
        f"/desk/tickets/{mine.reference}/merge/", {"target": theirs.reference}, follow=True
    )
    assert "Only tickets of the same customer can be merged." in _flash(response)
    response = client.post(f"/desk/tickets/{mine.reference}/merge/", {"target": mine.reference}, follow=True)
    assert "cannot be merged into itself" in _flash(response)
    assert Ticket.objects.get(pk=mine.pk).merged_into_id is None
    # Neither a customer (no desk) nor an anonymous visitor can merge.
    customer_user = AgentFactory(is_agent=False, is_staff=False)
    other = make_ticket(email="a@example.test")
    url = f"/desk/tickets/{other.reference}/merge/"
    assert _client(customer_user).post(url, {"target": mine.reference}).status_code == 404
    assert Client().post(url, {"target": mine.reference}).status_code == 302
    assert not TicketMerge.objects.exists()


def test_split_a_message_off_into_a_new_ticket(make_ticket, agent):
    client = _client(agent)
    ticket = make_ticket(email="nina@example.test", body="Ma facture est fausse.")
    portal = Client()
    portal.post(
        f"/track/{make_token(ticket.tracking_uid)}/", {"body": "Et mon compteur fuit.", "submission_id": "s1"}
    )
    second = Message.objects.get(ticket=ticket, body="Et mon compteur fuit.")
    page = _history(client, ticket)
    assert f"/desk/tickets/{ticket.reference}/messages/{second.pk}/split/" in page
    response = client.post(f"/desk/tickets/{ticket.reference}/messages/{second.pk}/split/", follow=True)
    new = Ticket.objects.exclude(pk=ticket.pk).get(customer_id=ticket.customer_id)
    assert f"The message is now the new ticket {new.reference}." in _flash(response)
    assert list(Message.objects.filter(ticket=new).values_list("body", flat=True)) == [
        "Et mon compteur fuit."
    ]
    assert list(Message.objects.filter(ticket=ticket).values_list("body", flat=True)) == [
        "Ma facture est fausse."
    ]
    assert f"split a message off into the new ticket {new.reference}" in _history(client, ticket)
    assert f"created this ticket from a message of {ticket.reference}" in _history(client, new)
    assert Delivery.objects.filter(kind="ack", ticket_id=new.pk, recipient="nina@example.test").exists()
    # The last message of a ticket cannot be split off it.
    first = Message.objects.get(ticket=ticket)
    response = client.post(f"/desk/tickets/{ticket.reference}/messages/{first.pk}/split/", follow=True)
    assert "only message" in _flash(response)


def test_snooze_hides_from_the_queue_and_wakes_when_due(make_ticket, agent):
    client = _client(agent)
    ticket = make_ticket()
    assert ticket.reference in client.get("/desk/?scope=all").content.decode()
    until = timezone.localtime() + timedelta(hours=3)
    response = client.post(
        f"/desk/tickets/{ticket.reference}/snooze/", {"until": until.strftime("%Y-%m-%dT%H:%M")}, follow=True
    )
    assert "Snoozed" in _flash(response) and 'data-testid="snoozed"' in response.content.decode()
    assert ticket.reference not in client.get("/desk/?scope=all").content.decode()
    assert "snoozed the ticket until" in _history(client, ticket)
    assert snooze_wake_due(now=timezone.now() + timedelta(hours=2)) == 0
    assert snooze_wake_due(now=timezone.now() + timedelta(hours=3, minutes=1)) == 1
    assert Ticket.objects.get(pk=ticket.pk).snoozed_until is None
    assert ticket.reference in client.get("/desk/?scope=all").content.decode()
    assert "The ticket woke up: its snooze time came." in _history(client, ticket)
    assert "comptoir.tickets.snooze.snooze_wake_due" in {j.target for j in registered_jobs()}
    past = client.post(
        f"/desk/tickets/{ticket.reference}/snooze/", {"until": "2001-01-01T10:00"}, follow=True
    )
    assert "Choose a time in the future." in _flash(past)


def test_a_customer_reply_wakes_a_snoozed_ticket_early(make_ticket, agent):
    client = _client(agent)
    ticket = make_ticket()
    until = timezone.localtime() + timedelta(days=2)
    client.post(f"/desk/tickets/{ticket.reference}/snooze/", {"until": until.strftime("%Y-%m-%dT%H:%M")})
    assert Ticket.objects.get(pk=ticket.pk).snoozed_until is not None
    Client().post(
        f"/track/{make_token(ticket.tracking_uid)}/", {"body": "Des nouvelles ?", "submission_id": "w1"}
    )
    assert Ticket.objects.get(pk=ticket.pk).snoozed_until is None
    assert TicketEvent.objects.filter(ticket=ticket, field="woke", new="customer").exists()
    assert "The ticket woke up early: the customer wrote." in _history(client, ticket)
