"""A reply retried after a dropped connection reaches the customer once (issue 8, item 7).

``POST /api/v1/tickets/{ref}/messages`` honours ``Idempotency-Key`` as ticket creation does: the
same key and payload give the first message back with the same status, a different payload is a
409, and keys are scoped per API client, so two clients never collide.
"""

from __future__ import annotations

import json

import pytest
from django.db import IntegrityError, transaction
from django.test import Client

from comptoir.accounts.services import api_token_create
from comptoir.outbox.models import Delivery
from comptoir.tickets.models import Message
from tests.factories import AgentFactory
from tests.support import at_once

pytestmark = pytest.mark.django_db

REPLY = {"body": "Nous avons corrigé votre facture.", "visibility": "public"}


def post(client: Client, ticket, body: dict, key: str | None = "retry-1"):  # type: ignore[no-untyped-def]
    headers = {"Idempotency-Key": key} if key else {}
    return client.post(
        f"/api/v1/tickets/{ticket.reference}/messages",
        json.dumps(body),
        content_type="application/json",
        headers=headers,
    )


def replies(ticket) -> int:  # type: ignore[no-untyped-def]
    return ticket.messages.filter(kind=Message.Kind.PUBLIC).count()


def sent(ticket) -> int:  # type: ignore[no-untyped-def]
    return Delivery.objects.filter(ticket_id=ticket.pk, kind=Delivery.Kind.REPLY).count()


@pytest.mark.fault("issue8-7")
def test_a_retried_reply_is_stored_and_sent_once(api_client, make_ticket, django_capture_on_commit_callbacks):
    ticket = make_ticket()
    with django_capture_on_commit_callbacks(execute=True):
        first = post(api_client, ticket, REPLY)
        again = post(api_client, ticket, REPLY)
    assert first.status_code == again.status_code == 201, again.content
    assert again.json() == first.json()
    assert replies(ticket) == 1 and sent(ticket) == 1


@pytest.mark.fault("issue8-7")
def test_the_same_key_with_another_payload_is_a_conflict(api_client, make_ticket):
    ticket = make_ticket()
    assert post(api_client, ticket, REPLY).status_code == 201
    changed = post(api_client, ticket, {**REPLY, "body": "Autre chose"}, key="retry-1")
    assert changed.status_code == 409 and changed.json()["detail"]
    internal = post(api_client, ticket, {**REPLY, "visibility": "internal"}, key="retry-1")
    assert internal.status_code == 409
    other_ticket = post(api_client, make_ticket(), REPLY, key="retry-1")
    assert other_ticket.status_code == 409
    assert Message.objects.filter(kind__in=["public", "internal"]).count() == 1


@pytest.mark.fault("issue8-7")
def test_two_clients_never_share_a_key(api_client, make_ticket, team):
    ticket = make_ticket()
    other = Client(headers={"Authorization": f"Bearer {api_token_create(user=AgentFactory(teams=[team]))}"})
    mine, theirs = post(api_client, ticket, REPLY), post(other, ticket, REPLY)
    assert mine.status_code == theirs.status_code == 201, theirs.content
    assert mine.json()["id"] != theirs.json()["id"]
    assert replies(ticket) == 2


def test_without_a_key_every_post_is_a_new_message(api_client, make_ticket):
    ticket = make_ticket()
    assert post(api_client, ticket, REPLY, key=None).status_code == 201
    assert post(api_client, ticket, REPLY, key=None).status_code == 201
    assert replies(ticket) == 2


def test_the_database_refuses_a_second_message_with_one_key(make_ticket):
    """The unique constraint decides, whatever a reader saw before writing."""
    ticket = make_ticket()
    Message.objects.create(ticket=ticket, kind="public", channel="web", body="a", idempotency_key="k")
    with pytest.raises(IntegrityError), transaction.atomic():
        Message.objects.create(ticket=ticket, kind="public", channel="web", body="a", idempotency_key="k")


@pytest.mark.django_db(transaction=True)
@pytest.mark.fault("issue8-7")
def test_concurrent_retries_make_one_reply(make_ticket, team):
    ticket = make_ticket()
    token = api_token_create(user=AgentFactory(teams=[team]))

    def retry() -> tuple:
        response = post(Client(headers={"Authorization": f"Bearer {token}"}), ticket, REPLY, key="race")
        return response.status_code, response.json().get("id")

    answers = at_once(retry)
    assert len(answers) == 4 and len(set(answers)) == 1 and answers[0][0] == 201
    assert replies(ticket) == 1 and sent(ticket) == 1
