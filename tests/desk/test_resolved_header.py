"""A resolved ticket's header says its SLA clock stopped, never a bare "—" (issue 10 walk)."""

from __future__ import annotations

import re

import pytest

from comptoir.tickets.services import ticket_update

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("status", "words"), [("resolved", "clock stopped: resolved"), ("closed", "clock stopped: closed")]
)
def test_a_settled_tickets_header_says_the_clock_stopped(
    desk_client, agent, make_ticket, status, words
) -> None:
    ticket = make_ticket()
    ticket = ticket_update(ticket_id=ticket.pk, actor=agent, version=ticket.version, status=status)
    page = desk_client.get(f"/desk/tickets/{ticket.reference}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    shown = re.findall(r'data-testid="time-left">([^<]*)<', page)
    assert shown, "the default SLA policy shows the clock"
    assert all(text.strip() != "—" for text in shown)
    assert words in shown
