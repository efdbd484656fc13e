"""My requests' "Last update" moves only with what the customer can see (issue 10 walk): a junior's
reply held for a senior's approval, a note or a reassignment change nothing for them; the reply
once approved, their own message and a status change do."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from django.test import Client

from comptoir.tickets.models import Message
from comptoir.tickets.services import ticket_agent_message, ticket_update
from tests.factories import AgentFactory
from tests.portal.test_my_requests import sign_in

pytestmark = pytest.mark.django_db

ALICE = "alice@example.test"


def shown(client: Client, reference: str) -> tuple[datetime, datetime]:
    """The "Last update" of the request on /my/ and on its own page (ISO, to the microsecond)."""
    listing = client.get("/my/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    row = re.search(rf"{reference}.*?</tr>", listing, re.S).group(0)
    in_list = re.search(r'<time datetime="([^"]+)" data-testid="my-request-updated">', row).group(1)
    page = client.get(f"/my/requests/{reference}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    on_page = re.search(r'<time datetime="([^"]+)" data-testid="updated">', page).group(1)
    return datetime.fromisoformat(in_list), datetime.fromisoformat(on_page)


def test_last_update_follows_only_what_the_customer_sees(
    client, make_ticket, team, django_capture_on_commit_callbacks, mailoutbox
) -> None:
    senior = AgentFactory(teams=[team], level=2)
    junior = AgentFactory(teams=[team], mentor=senior)
    ticket = make_ticket(email=ALICE)
    sign_in(client, ALICE, django_capture_on_commit_callbacks, mailoutbox)
    # Internal work first: urgent, given to the junior, a note. None of it is the customer's.
    ticket = ticket_update(
        ticket_id=ticket.pk, actor=senior, version=ticket.version, priority="P1", team=team, assignee=junior
    )
    ticket_agent_message(ticket=ticket, actor=senior, body="Note interne", internal=True)
    first = shown(client, ticket.reference)
    assert first[0] == first[1]
    # The junior's reply waits for the senior's approval: nothing the customer sees changed.
    desk = Client()
    desk.force_login(junior)
    desk.post(f"/desk/tickets/{ticket.reference}/messages/", {"body": "Une équipe est en route."})
    held = Message.objects.get(ticket=ticket, kind="public")
    assert held.held_for == senior
    ticket.refresh_from_db()
    assert ticket.updated_at > first[0]  # the ticket moved for the desk ...
    assert shown(client, ticket.reference) == first  # ... not for the customer
    # Approved: the reply reaches the customer, and the last update moves.
    senior_desk = Client()
    senior_desk.force_login(senior)
    senior_desk.post(f"/desk/tickets/{ticket.reference}/messages/{held.pk}/approve/")
    assert Message.objects.get(pk=held.pk).held_for is None
    approved = shown(client, ticket.reference)
    assert approved[0] == approved[1] > first[0]
    # The customer's own reply moves it too.
    client.post(f"/my/requests/{ticket.reference}/", {"body": "Merci !", "submission_id": "a" * 32})
    assert Message.objects.filter(ticket=ticket, kind="customer").count() == 2
    answered = shown(client, ticket.reference)
    assert answered[0] > approved[0]
