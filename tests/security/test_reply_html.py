"""HTML in a customer's reply (not only in a new ticket) is sanitised before it is stored or shown."""

from __future__ import annotations

from email.message import EmailMessage
from email.policy import SMTP

import pytest
from django.test import Client, TestCase

from comptoir.channels.email.ingest import email_receive
from comptoir.tickets.models import Message
from comptoir.tickets.tracking import reply_address
from tests.email.fixtures import html_only, new_message_id

CUSTOMER = "Hugo <hugo@client.example>"
DANGEROUS = ("<script", "<iframe", "onerror", "onload", "javascript:", "<svg", "<form", "<style")


def _receive(raw: bytes):  # type: ignore[no-untyped-def]
    with TestCase.captureOnCommitCallbacks(execute=True):
        outcome = email_receive(raw=raw, source="test")
    assert outcome.result is not None, outcome.error
    return outcome.result


def _html_reply(to: str) -> bytes:
    msg = EmailMessage()
    msg["From"] = CUSTOMER
    msg["To"] = to
    msg["Subject"] = "Re: Facture en HTML"
    msg["Message-ID"] = new_message_id()
    msg.set_content(
        "<p>Voici <b>le relevé</b>.</p><script>alert(1)</script>"
        '<iframe src=" javascript:alert(2)"></iframe><img src=x onerror="alert(3)">'
        '<svg onload="alert(5)"></svg><form action="https://evil.test"><input name=x></form>'
        '<a href="javascript:alert(4)">clic</a><style>p{color:red}</style>',
        subtype="html",
    )
    return msg.as_bytes(policy=SMTP)


@pytest.mark.django_db
@pytest.mark.attack("xss", "2")
def test_html_in_a_customer_reply_is_sanitised_when_stored_and_shown(agent):
    ticket = _receive(html_only(sender=CUSTOMER)).ticket
    joined = _receive(_html_reply(reply_address(ticket.pk))).ticket
    assert joined.pk == ticket.pk, joined.review_reason  # the reply joined the customer's ticket

    reply = Message.objects.filter(ticket=ticket).order_by("id").last()
    assert "relevé" in reply.body_html
    for bad in DANGEROUS:
        assert bad not in reply.body_html.lower(), bad

    client = Client()
    client.force_login(agent)
    page = client.get(f"/desk/tickets/{ticket.reference}/").content.decode().lower()
    assert "le relevé" in page or "le relev&eacute;" in page
    for live in ("<script>alert", "onerror=", "onload=", "<iframe", 'href="javascript:'):
        assert live not in page, live
