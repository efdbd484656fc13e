"""Issue 8 item 3: a From address proves nothing; only a proven sender joins a ticket as theirs.

From the outside: real SMTP to the built-in receiver (which verifies DKIM, SPF and DMARC against
a local DNS server, with messages signed by dkimpy), the provider webhook with Authentication-
Results headers from trusted and untrusted servers, the tracking page, and the desk.
"""

from __future__ import annotations

import smtplib

import pytest
from aiosmtpd.controller import Controller
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import translation

from comptoir.channels.email.authentication import SMTPD_AUTHSERV_ID, aligned, org_domain
from comptoir.channels.email.smtp_server import ComptoirHandler
from comptoir.intake.models import InboundRecord
from comptoir.outbox.models import Delivery
from comptoir.tickets.models import Message, Ticket
from comptoir.tickets.review import review_reason_text
from comptoir.tickets.tracking import make_token, reply_address
from tests.support import free_port

from .fixtures import SUPPORT, new_message_id, plain
from .sender_auth import DkimKey, LocalDns

ALICE = "Alice Martin <alice@client.example>"
SPOOF_BODY = "Changez mon IBAN pour FR76 9999 9999 9999."
SECRET = "inbound-test-secret-0123456789"
TRUSTED = "mx.comptoir.localhost"


@pytest.fixture(scope="module")
def keys(tmp_path_factory) -> dict[str, DkimKey]:
    folder = tmp_path_factory.mktemp("dkim")
    return {d: DkimKey(folder, d) for d in ("client.example", "evil.test")}


@pytest.fixture
def zone(keys):
    """client.example: DKIM key, SPF for another host only, DMARC p=reject; evil.test signs too."""
    dns = LocalDns()
    for key in keys.values():
        key.publish(dns)
    dns.txt("client.example", "v=spf1 ip4:192.0.2.10 -all")
    dns.txt("_dmarc.client.example", "v=DMARC1; p=reject")
    dns.txt("spf-only.example", "v=spf1 ip4:127.0.0.1 -all")  # proven by SPF alone, from here
    dns.txt("_dmarc.spf-only.example", "v=DMARC1; p=quarantine")
    dns.start()
    yield dns
    dns.stop()


@pytest.fixture
def smtpd(settings, zone):
    """The built-in receiver (ComptoirHandler) on a real socket, as `comptoir smtpd` runs it."""
    controller = Controller(
        ComptoirHandler(), hostname="127.0.0.1", port=free_port(),
        data_size_limit=settings.COMPTOIR_MAX_EMAIL_BYTES, decode_data=False,
    )  # fmt: skip
    controller.start()
    yield controller
    controller.stop()


def smtp_send(controller: Controller, raw: bytes, *, mail_from: str = "alice@client.example") -> None:
    with smtplib.SMTP(controller.hostname, controller.port, timeout=30) as client:
        client.ehlo("mail.client.example")
        assert client.sendmail(mail_from, [SUPPORT], raw) == {}


def webhook(raw: bytes) -> InboundRecord:
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = Client().post(
            "/api/v1/inbound/email",
            data=raw,
            content_type="message/rfc822",
            headers={"X-Comptoir-Secret": SECRET},
        )
    assert response.status_code in (200, 201, 202), response.content
    return InboundRecord.objects.order_by("-id").first()


def open_ticket(sender: str = ALICE) -> tuple[Ticket, str]:
    mid = new_message_id()
    with TestCase.captureOnCommitCallbacks(execute=True):
        from comptoir.channels.email.ingest import email_receive

        outcome = email_receive(raw=plain(sender=sender, message_id=mid), source="test")
    assert outcome.result is not None and outcome.result.created, outcome.error
    return outcome.result.ticket, mid


def spoof(ticket: Ticket, mid: str, *, headers: dict[str, str] | None = None, **kwargs) -> bytes:  # type: ignore[no-untyped-def]
    return plain(
        sender=ALICE, subject=f"Re: [{ticket.reference}] Compteur en panne", in_reply_to=mid,
        body=SPOOF_BODY, headers=headers, **kwargs,
    )  # fmt: skip


def tracking_page(ticket: Ticket) -> str:
    ticket.refresh_from_db()
    url = reverse("portal:track", kwargs={"token": make_token(ticket.tracking_uid)})
    response = Client().get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return response.content.decode()


def assert_held(ticket: Ticket, deliveries_before: set[int]) -> Message:
    """The message is on the ticket, held: not on the tracking page, nothing sent, ticket flagged."""
    message = ticket.messages.get(body__contains="IBAN")
    assert message.hold == Message.Hold.UNPROVEN and message.hold_reason
    assert "IBAN" not in tracking_page(ticket)
    assert not Delivery.objects.exclude(pk__in=deliveries_before).exists(), "nothing acknowledged or sent"
    ticket.refresh_from_db()
    assert ticket.review_reason == message.hold_reason
    assert Ticket.objects.count() == 1, "no new ticket either"
    return message


def assert_joined(ticket: Ticket) -> Message:
    message = ticket.messages.get(body__contains="IBAN")
    assert message.hold == Message.Hold.NONE
    assert "IBAN" in tracking_page(ticket)
    return message


def existing_deliveries() -> set[int]:
    return set(Delivery.objects.values_list("pk", flat=True))


# --- comptoir smtpd verifies for itself ----------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.attack("email", "issue8-3")
def test_spoofed_from_with_the_reference_over_smtp_is_held(smtpd):
    ticket, mid = open_ticket()
    Ticket.objects.filter(pk=ticket.pk).update(status=Ticket.Status.WAITING_CUSTOMER)
    before = existing_deliveries()

    smtp_send(smtpd, spoof(ticket, mid))

    message = assert_held(ticket, before)
    assert "dmarc=fail" in message.hold_reason
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.WAITING_CUSTOMER, "a spoof must not reopen the ticket"
    record = InboundRecord.objects.get(message=message)
    assert bytes(record.raw).startswith(f"Authentication-Results: {SMTPD_AUTHSERV_ID};".encode())


@pytest.mark.django_db(transaction=True)
@pytest.mark.attack("email", "issue8-3")
def test_dkim_signed_from_the_aligned_domain_over_smtp_joins(smtpd, keys):
    ticket, mid = open_ticket()
    smtp_send(smtpd, keys["client.example"].sign(spoof(ticket, mid)))
    message = assert_joined(ticket)
    stamp = bytes(InboundRecord.objects.get(message=message).raw).split(b"\r\n", 1)[0].decode()
    assert "dkim=pass header.d=client.example" in stamp and "dmarc=pass" in stamp
    assert "spf=fail" in stamp, "SPF fails from 127.0.0.1: DKIM alone carries DMARC"


@pytest.mark.django_db(transaction=True)
@pytest.mark.attack("email", "issue8-3")
def test_spf_aligned_sender_over_smtp_joins(smtpd):
    ticket, mid = open_ticket(sender="Bob <bob@spf-only.example>")
    raw = plain(sender="Bob <bob@spf-only.example>", in_reply_to=mid, body=SPOOF_BODY, subject="Re: suite")
    smtp_send(smtpd, raw, mail_from="bounces@spf-only.example")
    assert_joined(ticket)


@pytest.mark.django_db(transaction=True)
@pytest.mark.attack("email", "issue8-3")
def test_signature_of_another_domain_or_a_broken_one_does_not_prove_from(smtpd, keys):
    ticket, mid = open_ticket()
    before = existing_deliveries()
    # Signed for real, but by evil.test: not aligned with client.example.
    smtp_send(smtpd, keys["evil.test"].sign(spoof(ticket, mid)))
    assert_held(ticket, before)
    # client.example's signature over another text, then the body swapped.
    signed = keys["client.example"].sign(spoof(ticket, mid, message_id="<swap@client.example>"))
    smtp_send(smtpd, signed.replace(b"IBAN", b"RIB "))
    swapped = ticket.messages.get(body__contains="RIB ")
    assert swapped.hold == Message.Hold.UNPROVEN


@pytest.mark.django_db(transaction=True)
@pytest.mark.attack("email", "issue8-3")
def test_verdict_forged_with_our_own_authserv_id_is_ignored(smtpd):
    ticket, mid = open_ticket()
    before = existing_deliveries()
    forged = {"Authentication-Results": f"{SMTPD_AUTHSERV_ID}; dkim=pass header.d=client.example; dmarc=pass"}
    smtp_send(smtpd, spoof(ticket, mid, headers=forged))
    assert_held(ticket, before)


# --- verdicts of a receiving server in front (webhook, IMAP) ---------------------------------------


@pytest.mark.django_db
@pytest.mark.attack("email", "issue8-3")
def test_without_any_verdict_a_participant_address_is_held(settings):
    settings.COMPTOIR_INBOUND_SECRET = SECRET
    ticket, mid = open_ticket()
    before = existing_deliveries()
    webhook(spoof(ticket, mid))
    message = assert_held(ticket, before)
    with translation.override("en"):
        assert "nothing proves who sent" in review_reason_text(message.hold_reason)


@pytest.mark.django_db
@pytest.mark.attack("email", "issue8-3")
def test_untrusted_authserv_id_claiming_pass_is_ignored(settings):
    settings.COMPTOIR_INBOUND_SECRET = SECRET
    settings.COMPTOIR_AUTHSERV_ID = [TRUSTED]
    ticket, mid = open_ticket()
    before = existing_deliveries()
    claims = {"Authentication-Results": "mx.evil.test; dkim=pass header.d=client.example; dmarc=pass"}
    webhook(spoof(ticket, mid, headers=claims))
    assert_held(ticket, before)


@pytest.mark.django_db
@pytest.mark.attack("email", "issue8-3")
def test_trusted_server_dmarc_pass_joins(settings):
    settings.COMPTOIR_INBOUND_SECRET = SECRET
    settings.COMPTOIR_AUTHSERV_ID = [TRUSTED]
    ticket, mid = open_ticket()
    verdict = {"Authentication-Results": f"{TRUSTED}; spf=none; dmarc=pass header.from=client.example"}
    webhook(spoof(ticket, mid, headers=verdict))
    assert_joined(ticket)


@pytest.mark.django_db
@pytest.mark.attack("email", "issue8-3")
@pytest.mark.parametrize(
    "top",
    [
        "spf=fail smtp.mailfrom=evil.test; dmarc=fail header.from=client.example",
        "spf=fail smtp.mailfrom=a@evil.test;;",  # unreadable, yet the trusted server's own
    ],
)
def test_trusted_server_verdict_on_top_wins_over_a_forged_pass_below(settings, top):
    settings.COMPTOIR_INBOUND_SECRET = SECRET
    settings.COMPTOIR_AUTHSERV_ID = [TRUSTED]
    ticket, mid = open_ticket()
    before = existing_deliveries()
    raw = spoof(ticket, mid, headers={"X-Spam": "no"})
    # The trusted server's header is on top; the sender wrote a "pass" with its name further down.
    forged = f"Authentication-Results: {TRUSTED}; dkim=pass header.d=client.example; dmarc=pass"
    raw = f"Authentication-Results: {TRUSTED}; {top}\r\n".encode() + raw.replace(
        b"X-Spam: no", forged.encode()
    )
    webhook(raw)
    message = assert_held(ticket, before)
    with translation.override("en"):
        reason = review_reason_text(message.hold_reason)
    assert "dmarc=fail" in reason or "nothing proves" in reason


@pytest.mark.django_db
@pytest.mark.attack("email", "issue8-3")
def test_trusted_dkim_pass_of_another_domain_proves_nothing(settings):
    settings.COMPTOIR_INBOUND_SECRET = SECRET
    settings.COMPTOIR_AUTHSERV_ID = [TRUSTED]
    ticket, mid = open_ticket()
    before = existing_deliveries()
    webhook(
        spoof(ticket, mid, headers={"Authentication-Results": f"{TRUSTED}; dkim=pass header.d=evil.test"})
    )
    assert_held(ticket, before)


@pytest.mark.django_db
@pytest.mark.attack("email", "issue8-3")
def test_reply_address_proves_the_participant_unless_dmarc_failed(settings):
    """Decision: our HMAC-bound reply address is a secret sent only to the customer; it proves
    the sender on its own, but not against a trusted DMARC failure."""
    settings.COMPTOIR_INBOUND_SECRET = SECRET
    settings.COMPTOIR_AUTHSERV_ID = [TRUSTED]
    ticket, _mid = open_ticket()
    webhook(plain(sender=ALICE, to=reply_address(ticket.pk), subject="suite", body="Merci, IBAN reçu."))
    assert_joined(ticket)
    before = existing_deliveries()
    failed = {"Authentication-Results": f"{TRUSTED}; dmarc=fail header.from=client.example"}
    webhook(
        plain(sender=ALICE, to=reply_address(ticket.pk), subject="suite", body=SPOOF_BODY, headers=failed)
    )
    held = ticket.messages.get(body=SPOOF_BODY)
    assert held.hold == Message.Hold.UNPROVEN
    assert not Delivery.objects.exclude(pk__in=before).exists()


@pytest.mark.django_db
@pytest.mark.attack("email", "issue8-3")
def test_a_new_ticket_from_an_unproven_sender_is_fine(settings):
    settings.COMPTOIR_INBOUND_SECRET = SECRET
    record = webhook(plain(sender=ALICE, subject="Première demande"))
    assert record.ticket is not None and record.ticket.messages.get().hold == Message.Hold.NONE
    assert Delivery.objects.filter(ticket=record.ticket, kind=Delivery.Kind.ACK).exists()


# --- the agent decides -----------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.attack("email", "issue8-3")
@pytest.mark.parametrize("decision", ["accept", "reject"])
def test_agent_sees_the_held_message_and_accepts_or_rejects_it(settings, desk_client, decision):
    settings.COMPTOIR_INBOUND_SECRET = SECRET
    ticket, mid = open_ticket()
    Ticket.objects.filter(pk=ticket.pk).update(status=Ticket.Status.WAITING_CUSTOMER)
    webhook(spoof(ticket, mid))
    held = ticket.messages.get(body=SPOOF_BODY)
    page = desk_client.get(
        reverse("desk:ticket", kwargs={"reference": ticket.reference}), HTTP_ACCEPT_LANGUAGE="en"
    )
    html = page.content.decode()
    assert 'data-testid="held-unproven"' in html and "Not shown to the customer" in html
    assert 'data-testid="review-reason"' in html

    url = reverse("desk:message_review", kwargs={"reference": ticket.reference, "message_id": held.pk})
    assert desk_client.post(url, {"decision": decision}).status_code == 302

    held.refresh_from_db()
    ticket.refresh_from_db()
    assert ticket.review_reason == ""
    if decision == "accept":
        assert held.hold == Message.Hold.NONE
        assert "IBAN" in tracking_page(ticket)
        assert ticket.status == Ticket.Status.OPEN, "accepted: it is the customer's answer"
        assert ticket.events.filter(field="message_accepted").exists()
    else:
        assert held.hold == Message.Hold.REJECTED
        assert "IBAN" not in tracking_page(ticket)
        assert ticket.status == Ticket.Status.WAITING_CUSTOMER
        page = desk_client.get(reverse("desk:ticket", kwargs={"reference": ticket.reference}))
        assert 'data-testid="held-rejected"' in page.content.decode()
    # Decided once: a second decision is refused and changes nothing.
    desk_client.post(url, {"decision": "accept"})
    held.refresh_from_db()
    assert held.hold == (Message.Hold.NONE if decision == "accept" else Message.Hold.REJECTED)


# --- alignment ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("domain", "from_domain", "expected"),
    [
        ("client.example", "client.example", True),
        ("mail.client.example", "client.example", True),
        ("evil.example", "client.example", False),  # a suffix unknown to the list: two labels
        ("bank.co.uk", "evil.co.uk", False),
        ("news.bank.co.uk", "bank.co.uk", True),
        ("", "client.example", False),
    ],
)
def test_relaxed_alignment_by_organisational_domain(domain, from_domain, expected):
    assert aligned(domain, from_domain) is expected
    assert org_domain("a.b.bank.co.uk") == "bank.co.uk"


@pytest.mark.django_db
@pytest.mark.attack("email", "issue8-3")
def test_a_held_message_is_marked_everywhere_staff_read_it_and_never_threads_a_reply(settings, agent):
    """Held words are nobody's until accepted: the API, the timelines and our replies say so."""
    from comptoir.accounts.services import api_token_create
    from comptoir.tickets.services import ticket_agent_message

    settings.COMPTOIR_INBOUND_SECRET = SECRET
    ticket, mid = open_ticket()
    spoofed = spoof(ticket, mid)
    webhook(spoofed)
    held = assert_held(ticket, existing_deliveries())
    api = Client(headers={"Authorization": f"Bearer {api_token_create(user=agent)}"})

    detail = api.get(f"/api/v1/tickets/{ticket.reference}").json()
    assert {m["id"]: m["visibility"] for m in detail["messages"]}[held.pk] == "held"
    entries = api.get(f"/api/v1/customers/{ticket.customer_id}/timeline").json()["entries"]
    assert [e["visibility"] for e in entries if "IBAN" in e["body"]] == ["held"]
    desk = Client()
    desk.force_login(agent)
    page = desk.get(f"/desk/customers/{ticket.customer_id}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-testid="timeline-held"' in page

    with TestCase.captureOnCommitCallbacks(execute=True):
        reply = ticket_agent_message(ticket=ticket, actor=agent, body="Nous regardons.", internal=False)
    delivery = Delivery.objects.get(kind=Delivery.Kind.REPLY, ticket=ticket)
    spoof_id = held.external_id
    assert spoof_id and spoof_id.startswith("<")
    assert spoof_id not in delivery.headers.get("References", "") + delivery.body, reply
    assert mid in delivery.headers.get("References", "")
