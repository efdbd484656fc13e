"""Agent replies leave as real email (received here by a real SMTP server) and route back."""

from __future__ import annotations

import email
from email import policy

import pytest
from django.test import Client

from comptoir.channels.email.ingest import EmailOutcome, email_receive
from comptoir.outbox.models import Delivery
from comptoir.tickets.files import IncomingFile
from comptoir.tickets.models import Message, Ticket
from comptoir.tickets.services import ticket_agent_message
from comptoir.tickets.tracking import parse_reply_address, reply_address

from .fixtures import PDF, plain

pytestmark = pytest.mark.django_db(transaction=True)

CUSTOMER = "Élodie Tremblay <elodie@client.example>"


def receive(raw: bytes) -> EmailOutcome:
    outcome = email_receive(raw=raw, source="test")
    outcome.record.refresh_from_db()
    return outcome


def as_customer_reply(mail: email.message.EmailMessage, body: str, message_id: str) -> bytes:
    """What the customer's mail client sends when they press Reply on ``mail``."""
    return plain(
        sender=CUSTOMER,
        to=str(mail["Reply-To"]),
        subject="Re: " + str(mail["Subject"]),
        body=body,
        message_id=message_id,
        in_reply_to=str(mail["Message-ID"]),
        references=f"{mail['References']} {mail['Message-ID']}",
    )


def test_agent_reply_is_a_threaded_email_with_reply_to_and_attachment(smtp_out, agent):
    first_id = "<first@client.example>"
    ticket = receive(plain(sender=CUSTOMER, subject="Compteur en panne", message_id=first_id)).result.ticket
    ack_mail = smtp_out.messages[0]
    assert ack_mail["Auto-Submitted"] == "auto-generated"
    ack_id = Delivery.objects.get(ticket=ticket, kind=Delivery.Kind.ACK).message_id
    assert ack_mail["Message-ID"] == ack_id

    pdf = IncomingFile(name="devis.pdf", content=PDF)
    ticket_agent_message(
        ticket=ticket, actor=agent, body="Un technicien passe demain.", internal=False, files=[pdf]
    )
    assert len(smtp_out.messages) == 2
    mail = smtp_out.messages[1]
    _sender, rcpts, _raw = smtp_out.envelopes[1]
    assert rcpts == ["elodie@client.example"]
    delivery = Delivery.objects.get(ticket=ticket, kind=Delivery.Kind.REPLY)
    assert mail["Message-ID"] == delivery.message_id and mail["Message-ID"].startswith("<")
    assert mail["In-Reply-To"] == first_id
    assert ack_id in mail["References"] and first_id in mail["References"]
    assert mail["Reply-To"] == reply_address(ticket.pk)
    assert parse_reply_address([mail["Reply-To"]]) == ticket.pk
    assert ticket.reference in mail["Subject"]
    assert mail["Auto-Submitted"] in (None, "no")
    assert "Un technicien passe demain." in mail.get_body(("plain",)).get_content()
    files = list(mail.iter_attachments())
    assert [p.get_filename() for p in files] == ["devis.pdf"]
    assert files[0].get_content() == PDF


def test_customer_reply_to_the_reply_address_joins_and_the_next_reply_threads_on_it(smtp_out, agent):
    ticket = receive(
        plain(sender=CUSTOMER, subject="Facture", message_id="<c1@client.example>")
    ).result.ticket
    ticket_agent_message(ticket=ticket, actor=agent, body="Pouvez-vous préciser ?", internal=False)
    reply = smtp_out.messages[-1]

    outcome = receive(as_customer_reply(reply, "Voici la précision.", "<c2@client.example>"))
    assert outcome.result.ticket.pk == ticket.pk and not outcome.result.created
    assert ticket.messages.filter(kind=Message.Kind.CUSTOMER).count() == 2
    assert Ticket.objects.count() == 1

    # Only the reply address (the subject rewritten, no In-Reply-To): still joins.
    bare = plain(
        sender=CUSTOMER, to=reply.get("Reply-To"), subject="autre sujet", message_id="<c3@client.example>"
    )
    assert receive(bare).result.ticket.pk == ticket.pk

    ticket_agent_message(ticket=ticket, actor=agent, body="Merci, c'est corrigé.", internal=False)
    second = smtp_out.messages[-1]
    assert second["In-Reply-To"] == "<c3@client.example>", "threads on the customer's latest email"
    for mid in ("<c1@client.example>", "<c2@client.example>", "<c3@client.example>"):
        assert mid in second["References"]


@pytest.mark.attack("injection", "20")
@pytest.mark.parametrize(
    "subject_header",
    [
        b"=?UTF-8?Q?Panne=0D=0ABcc:_victim@x.test?=",
        b"=?UTF-8?Q?Panne=0ABcc:_victim@x.test?=",
        b"=?UTF-8?B?UGFubmUNCkJjYzogdmljdGltQHgudGVzdA==?=",
        b"Panne =?UTF-8?Q?=0D=0ABcc=3A_victim=40x=2Etest=0D=0A=0D=0Abody?=",
    ],
)
def test_header_injection_through_the_subject_never_reaches_outgoing_mail(smtp_out, agent, subject_header):
    raw = plain(sender=CUSTOMER, subject="x").replace(b"Subject: x", b"Subject: " + subject_header)
    ticket = receive(raw).result.ticket
    assert "\n" not in ticket.subject and "\r" not in ticket.subject
    ticket_agent_message(ticket=ticket, actor=agent, body="Réponse.", internal=False)
    assert len(smtp_out.messages) == 2
    for (_sender, rcpts, wire), mail in zip(smtp_out.envelopes, smtp_out.messages, strict=True):
        assert rcpts == ["elodie@client.example"]
        assert mail["Bcc"] is None and mail["Cc"] is None
        head = wire.split(b"\r\n\r\n", 1)[0].lower()
        assert b"\nbcc:" not in head and b"\r\nbcc" not in head
        assert "victim" not in str(mail["To"])


def test_internal_note_is_never_emailed(smtp_out, agent):
    ticket = receive(plain(sender=CUSTOMER, subject="Note")).result.ticket
    ticket_agent_message(ticket=ticket, actor=agent, body="Client difficile.", internal=True)
    assert len(smtp_out.messages) == 1  # the acknowledgment only
    assert all("Client difficile." not in m.as_string() for m in smtp_out.messages)


def test_reply_from_the_desk_goes_out_by_smtp(smtp_out, agent):
    ticket = receive(plain(sender=CUSTOMER, subject="Depuis le desk")).result.ticket
    client = Client()
    client.force_login(agent)
    response = client.post(f"/desk/tickets/{ticket.reference}/messages/", {"body": "Réponse depuis le desk."})
    assert response.status_code == 302
    assert len(smtp_out.messages) == 2
    assert "Réponse depuis le desk." in smtp_out.messages[1].get_body(("plain",)).get_content()
    assert smtp_out.messages[1]["Reply-To"] == reply_address(ticket.pk)


def test_outgoing_mail_parses_back_as_ours(smtp_out):
    """Our own mail looped back to us (misconfigured forward) is stored, never acknowledged."""
    receive(plain(sender=CUSTOMER, subject="Boucle"))
    (_sender, _rcpts, wire) = smtp_out.envelopes[0]
    outcome = receive(wire)
    assert outcome.result is not None
    assert Delivery.objects.filter(kind=Delivery.Kind.ACK).count() == 1
    assert len(smtp_out.messages) == 1
    assert email.message_from_bytes(wire, policy=policy.default)["Auto-Submitted"] == "auto-generated"
