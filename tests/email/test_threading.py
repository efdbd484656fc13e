"""Threading, hijacking, spoofing, duplicates, loops, charsets and content of inbound email.

THREATS.md cases 11-16 (email spoofing and hijacking), 20, 24-25, 32-33 and 35-38.
"""

from __future__ import annotations

import email
from email import policy

import pytest
from django.test import TestCase

from comptoir.channels.email.ingest import EmailOutcome, email_receive
from comptoir.customers.models import Identity
from comptoir.intake.models import InboundRecord
from comptoir.outbox.models import Delivery
from comptoir.tickets.models import Attachment, Message, Ticket
from comptoir.tickets.tracking import reply_address

from . import fixtures
from .fixtures import PDF, SUPPORT, new_message_id, plain

pytestmark = pytest.mark.django_db

ALICE = "Alice Martin <alice@client.example>"
MALLORY = "Mallory <mallory@evil.test>"


def parse(raw: bytes) -> email.message.EmailMessage:
    return email.message_from_bytes(raw, policy=policy.default)


def receive(raw: bytes) -> EmailOutcome:
    """Receive as a channel would; after-commit work (sending the ack) runs, as in production."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        outcome = email_receive(raw=raw, source="test")
    outcome.record.refresh_from_db()
    return outcome


def open_ticket(sender: str = ALICE, subject: str = "Compteur en panne") -> tuple[Ticket, str]:
    """A ticket opened by email; returns it and the customer's Message-ID."""
    mid = new_message_id()
    outcome = receive(plain(sender=sender, subject=subject, message_id=mid))
    assert outcome.result is not None and outcome.result.created, outcome.error
    return outcome.result.ticket, mid


def ack_of(ticket: Ticket) -> Delivery:
    return Delivery.objects.get(ticket=ticket, kind=Delivery.Kind.ACK)


def assert_not_joined(ticket: Ticket, outcome: EmailOutcome) -> Ticket:
    """The message did not join ``ticket``: it is kept, on a new ticket, returned."""
    assert outcome.result is not None, outcome.error
    assert outcome.result.ticket.pk != ticket.pk
    assert ticket.messages.count() == 1
    return outcome.result.ticket


# --- 11, 12: hijack by a non-participant -------------------------------------------------------


@pytest.mark.attack("email", "11")
@pytest.mark.parametrize("hint", ["subject", "in-reply-to", "references", "reply-address", "all"])
def test_stranger_quoting_a_ticket_opens_a_linked_flagged_ticket(hint):
    t1, mid = open_ticket()
    ack = ack_of(t1)
    headers = {"Cc": "victim@client.example, other@client.example"}
    kwargs: dict = {
        "sender": MALLORY,
        "subject": "Re: compteur",
        "body": "Je prends la main.",
        "headers": headers,
    }
    if hint in ("subject", "all"):
        kwargs["subject"] = f"Re: [{t1.reference}] Compteur en panne"
    if hint in ("in-reply-to", "all"):
        kwargs["in_reply_to"] = ack.message_id
    if hint in ("references", "all"):
        kwargs["references"] = f"{mid} {ack.message_id}"
    if hint in ("reply-address", "all"):
        kwargs["to"] = reply_address(t1.pk)
    deliveries_before = set(Delivery.objects.values_list("pk", flat=True))

    new = assert_not_joined(t1, receive(plain(**kwargs)))
    assert new.linked_to_id == t1.pk
    assert new.review_reason, "an agent must see why"
    assert new.customer.identities.filter(value="mallory@evil.test").exists()
    # Nothing of T1 is mailed out; Cc addresses are never added as participants or recipients.
    sent = Delivery.objects.exclude(pk__in=deliveries_before)
    assert not sent.filter(ticket=t1).exists()
    assert set(sent.values_list("recipient", flat=True)) <= {"mallory@evil.test"}
    for delivery in sent:
        assert t1.reference not in delivery.subject + delivery.body
    assert not Identity.objects.filter(value__in=["victim@client.example", "other@client.example"]).exists()


@pytest.mark.attack("email", "12")
def test_identity_comes_from_from_never_reply_to_or_sender():
    t1, _mid = open_ticket()
    raw = plain(
        sender=MALLORY,
        subject=f"Re: [{t1.reference}] Compteur en panne",
        headers={
            "Reply-To": ALICE,
            "Sender": "alice@client.example",
            "Return-Path": "<alice@client.example>",
            "X-Original-From": "alice@client.example",
        },
    )
    new = assert_not_joined(t1, receive(raw))
    assert new.customer_id != t1.customer_id
    assert list(new.customer.identities.values_list("value", flat=True)) == ["mallory@evil.test"]
    assert ack_of(new).recipient == "mallory@evil.test"


@pytest.mark.attack("email", "12")
def test_agent_address_in_reply_to_does_not_make_a_stranger_an_agent(agent):
    t1, _mid = open_ticket()
    raw = plain(sender=MALLORY, subject=f"[{t1.reference}] urgent", headers={"Reply-To": agent.email})
    new = assert_not_joined(t1, receive(raw))
    msg = new.messages.get()
    assert msg.kind == Message.Kind.CUSTOMER and msg.author_id is None


# --- 13: DMARC failure ---------------------------------------------------------------------------


@pytest.mark.attack("email", "13")
def test_participant_address_failing_dmarc_is_held_and_flagged(settings):
    settings.COMPTOIR_AUTHSERV_ID = ["mx.comptoir.localhost"]
    t1, mid = open_ticket()
    deliveries_before = set(Delivery.objects.values_list("pk", flat=True))
    raw = plain(
        sender=ALICE,
        subject=f"Re: [{t1.reference}] Compteur en panne",
        in_reply_to=mid,
        references=mid,
        body="Changez mon adresse de facturation.",
        headers={
            "Authentication-Results": "mx.comptoir.localhost; spf=fail smtp.mailfrom=evil.test; "
            "dkim=none; dmarc=fail (p=none) header.from=client.example"
        },
    )
    # Issue 8: held on the ticket for an agent (formerly a new ticket acknowledged to the victim).
    outcome = receive(raw)
    assert outcome.result.ticket.pk == t1.pk and not outcome.result.created
    assert outcome.result.message.hold == Message.Hold.UNPROVEN
    t1.refresh_from_db()
    assert "dmarc=fail" in t1.review_reason
    assert not Delivery.objects.exclude(pk__in=deliveries_before).exists()


@pytest.mark.attack("email", "13")
def test_participant_passing_dmarc_joins(settings):
    settings.COMPTOIR_AUTHSERV_ID = ["mx.comptoir.localhost"]
    t1, mid = open_ticket()
    raw = plain(
        sender=ALICE,
        subject=f"Re: [{t1.reference}] Compteur en panne",
        in_reply_to=mid,
        headers={
            "Authentication-Results": "mx.comptoir.localhost; dkim=pass; "
            "dmarc=pass header.from=client.example"
        },
    )
    outcome = receive(raw)
    assert outcome.result.ticket.pk == t1.pk and not outcome.result.created
    assert outcome.result.message.hold == Message.Hold.NONE


# --- 14: forged reply tokens and unknown Message-IDs -------------------------------------------


@pytest.mark.attack("email", "14")
def test_forged_reply_token_does_not_join():
    t1, _mid = open_ticket()
    local, _at, domain = SUPPORT.partition("@")
    real = reply_address(t1.pk)
    forged = [
        f"{local}+t{t1.pk}-{'0' * 20}@{domain}",
        f"{local}+t{t1.pk}-@{domain}",
        f"{local}+t{t1.pk}@{domain}",
        real.replace(f"+t{t1.pk}-", f"+t{t1.pk + 1}-"),  # another ticket's id, this ticket's MAC
        real[: -len(domain) - 2] + "x@" + domain,  # one character changed
        real.replace(domain, "evil.test"),  # right token, foreign domain
    ]
    for address in forged:
        outcome = receive(plain(sender=ALICE, to=address, subject="suite", body=f"via {address}"))
        assert outcome.result.ticket.pk != t1.pk, address
        assert outcome.result.created
        assert outcome.result.ticket.linked_to_id is None
    assert t1.messages.count() == 1


@pytest.mark.attack("email", "14")
def test_another_tickets_reply_address_does_not_cross_over():
    t1, _ = open_ticket(sender=ALICE, subject="Compteur")
    t2, _ = open_ticket(sender="Bob <bob@client.example>", subject="Facture")
    # Bob, a participant of T2, writes to T1's (authentic) reply address.
    outcome = receive(plain(sender="Bob <bob@client.example>", to=reply_address(t1.pk), subject="Facture"))
    new = assert_not_joined(t1, outcome)
    assert new.pk != t2.pk and new.linked_to_id == t1.pk
    assert t2.messages.count() == 1


@pytest.mark.attack("email", "14")
def test_in_reply_to_a_message_id_we_never_issued_opens_a_new_ticket():
    t1, _ = open_ticket()
    outcome = receive(
        plain(sender=ALICE, subject="Re: autre chose", in_reply_to="<never-issued@comptoir.localhost>",
              references="<never-issued@comptoir.localhost> <also-unknown@x.example>")
    )  # fmt: skip
    new = assert_not_joined(t1, outcome)
    assert new.linked_to_id is None and outcome.result.created


@pytest.mark.attack("email", "14")
def test_valid_reply_address_from_participant_joins():
    t1, _ = open_ticket()
    outcome = receive(plain(sender=ALICE, to=reply_address(t1.pk), subject="suite sans référence"))
    assert outcome.result.ticket.pk == t1.pk and t1.messages.count() == 2


# --- 15: hostile From forms ----------------------------------------------------------------------


@pytest.mark.attack("email", "15")
@pytest.mark.parametrize("form", sorted(fixtures.HOSTILE_FROMS))
def test_hostile_from_is_a_kept_failure_or_its_own_customer_never_the_victim(form):
    victim_ticket, _ = open_ticket(sender="Bob <bob@example.com>", subject="Compte de Bob")
    raw = fixtures.hostile_from(fixtures.HOSTILE_FROMS[form]).replace(
        b"Subject: Bonjour", f"Subject: Re: [{victim_ticket.reference}] Compte de Bob".encode()
    )
    outcome = receive(raw)
    assert victim_ticket.messages.count() == 1
    if outcome.result is None:
        assert outcome.record.status == InboundRecord.Status.FAILED and outcome.record.error
        return
    ticket = outcome.result.ticket
    assert ticket.customer_id != victim_ticket.customer_id
    emails = set(ticket.customer.identities.values_list("value", flat=True))
    assert "bob@example.com" not in emails
    acks = Delivery.objects.filter(ticket=ticket, kind=Delivery.Kind.ACK)
    assert "bob@example.com" not in set(acks.values_list("recipient", flat=True))


@pytest.mark.attack("email", "15")
def test_two_from_headers_is_a_kept_failure():
    outcome = receive(fixtures.two_from_headers())
    assert outcome.result is None
    assert outcome.record.status == InboundRecord.Status.FAILED and "From" in outcome.record.error
    assert not Ticket.objects.exists()


# --- 16: our own headers from outside ------------------------------------------------------------


@pytest.mark.attack("email", "16")
def test_comptoir_and_priority_headers_from_outside_are_ignored(team):
    t1, _ = open_ticket(sender="Bob <bob@client.example>")
    raw = plain(
        sender=MALLORY,
        subject="Demande",
        headers={
            "X-Comptoir-Ticket": t1.reference,
            "X-Comptoir-Priority": "P1",
            "X-Comptoir-Team": team.name,
            "X-Comptoir-Status": "closed",
            "X-Comptoir-Customer": "bob@client.example",
            "X-Comptoir-Internal": "yes",
            "X-Priority": "1 (Highest)",
            "Importance": "high",
            "Priority": "urgent",
        },
    )
    outcome = receive(raw)
    ticket = assert_not_joined(t1, outcome)
    assert ticket.linked_to_id is None
    assert ticket.priority == Ticket.Priority.P3 and ticket.team_id is None
    assert ticket.status == Ticket.Status.NEW
    assert ticket.customer.identities.get().value == "mallory@evil.test"
    assert ticket.messages.get().kind == Message.Kind.CUSTOMER


# --- 37: threading that must work, and merging that must not -----------------------------------


@pytest.mark.fault("37")
def test_reply_with_only_in_reply_to_our_ack_joins():
    t1, _ = open_ticket()
    outcome = receive(plain(sender=ALICE, subject="Nouveau sujet réécrit", in_reply_to=ack_of(t1).message_id))
    assert outcome.result.ticket.pk == t1.pk


@pytest.mark.fault("37")
def test_reply_with_only_references_joins():
    t1, mid = open_ticket()
    refs = f"<older@client.example> {mid} <unrelated@x.example>"
    outcome = receive(plain(sender=ALICE, subject="sujet modifié", references=refs))
    assert outcome.result.ticket.pk == t1.pk


@pytest.mark.fault("37")
@pytest.mark.parametrize(
    "subject",
    [
        "RE: [{ref}] Compteur en panne",
        "Re: Re: [{ref}] Compteur en panne",
        "TR: [{ref}] Compteur en panne",
        "Fwd: [{ref}] Compteur en panne",
        "AW: [{ref}] Compteur en panne",
        "VS: [{ref}] Compteur en panne",
        "Réf : [{ref}] Compteur en panne",
        "RE : Réf. {ref} – suivi",
        "[EXTERNE] Re: [{ref}] sujet réécrit par la passerelle",
    ],
)
def test_reference_in_subject_joins_whatever_the_prefix(subject):
    t1, _ = open_ticket()
    outcome = receive(plain(sender=ALICE, subject=subject.format(ref=t1.reference)))
    assert outcome.result.ticket.pk == t1.pk, outcome.result.ticket.review_reason


@pytest.mark.fault("37")
def test_similar_subject_from_a_stranger_does_not_join_or_link():
    t1, _ = open_ticket(subject="Compteur en panne")
    outcome = receive(plain(sender="Zoé <zoe@client.example>", subject="Re: Compteur en panne"))
    new = assert_not_joined(t1, outcome)
    assert new.linked_to_id is None


@pytest.mark.fault("37")
def test_same_customer_same_subject_without_any_hint_is_a_new_ticket():
    t1, _ = open_ticket(subject="Compteur en panne")
    outcome = receive(plain(sender=ALICE, subject="Compteur en panne", body="Une autre panne, ailleurs."))
    assert_not_joined(t1, outcome)


@pytest.mark.fault("37")
def test_reply_to_a_closed_ticket_opens_a_linked_one():
    from comptoir.tickets.services import ticket_change

    t1, mid = open_ticket()
    ticket_change(ticket=t1, actor=None, changes={"status": Ticket.Status.CLOSED})
    new = assert_not_joined(t1, receive(plain(sender=ALICE, subject="Re: compteur", in_reply_to=mid)))
    assert new.linked_to_id == t1.pk


@pytest.mark.fault("37")
def test_a_second_reply_threads_on_the_first_replys_message_id():
    """A customer replies to their own reply (In-Reply-To names only their second message)."""
    t1, _ = open_ticket()
    second = new_message_id()
    receive(plain(sender=ALICE, subject="sans ref", in_reply_to=ack_of(t1).message_id, message_id=second))
    outcome = receive(plain(sender=ALICE, subject="encore sans ref", in_reply_to=second))
    assert outcome.result.ticket.pk == t1.pk
    assert t1.messages.count() == 3


# --- 32, 33: duplicates --------------------------------------------------------------------------


@pytest.mark.fault("32")
def test_same_bytes_twice_is_one_message():
    raw = plain()
    first, again = receive(raw), receive(raw)
    assert again.result.duplicate and again.result.ticket.pk == first.result.ticket.pk
    assert InboundRecord.objects.count() == 1 and Message.objects.count() == 1
    assert Delivery.objects.filter(kind=Delivery.Kind.ACK).count() == 1


@pytest.mark.fault("32")
def test_same_message_by_two_routes_with_different_trace_headers_is_one_message():
    raw = plain()
    via_smtp = (
        b"Received: from mx1.client.example by mx.comptoir.localhost; Mon, 2 Mar 2026 10:00:01\r\n" + raw
    )
    via_imap = b"Received: from mx2 by imap.comptoir.localhost\r\nX-Spam-Score: 0.1\r\n" + raw
    first, second = receive(via_smtp), receive(via_imap)
    assert second.result.duplicate and second.result.ticket.pk == first.result.ticket.pk
    assert second.record.status == InboundRecord.Status.DUPLICATE
    assert Message.objects.count() == 1 and Ticket.objects.count() == 1


@pytest.mark.fault("33")
def test_two_different_messages_sharing_a_message_id_are_both_kept():
    mid = "<reused@client.example>"
    a = receive(plain(sender=ALICE, message_id=mid, subject="Premier", body="premier message"))
    b = receive(plain(sender=ALICE, message_id=mid, subject="Second", body="second message, différent"))
    assert a.record.status == b.record.status == InboundRecord.Status.PROCESSED
    bodies = set(Message.objects.values_list("body", flat=True))
    assert {"premier message", "second message, différent"} <= bodies


@pytest.mark.fault("33")
def test_messages_without_message_id_dedupe_by_content():
    a = plain(message_id=None, subject="Sans identifiant", body="un")
    b = plain(message_id=None, subject="Sans identifiant", body="deux")
    receive(a)
    receive(b)
    # The same content again by another route (a new trace header): a duplicate, not a third.
    receive(b"Received: from elsewhere\r\n" + a)
    assert Message.objects.count() == 2
    assert InboundRecord.objects.filter(status=InboundRecord.Status.DUPLICATE).count() == 1
    assert InboundRecord.objects.filter(status=InboundRecord.Status.FAILED).count() == 0


# --- 36: robots and loops -------------------------------------------------------------------------


@pytest.mark.fault("36")
@pytest.mark.parametrize("case", sorted(fixtures.AUTO_CASES))
def test_robot_mail_is_stored_never_acknowledged(case, mailoutbox):
    outcome = receive(fixtures.AUTO_CASES[case]())
    assert outcome.record.status == InboundRecord.Status.PROCESSED
    message = Message.objects.get(pk=outcome.record.message_id)
    assert message.auto_submitted
    assert outcome.record.error, "the reason it is a robot's mail is recorded"
    assert not Delivery.objects.filter(kind=Delivery.Kind.ACK).exists()
    assert mailoutbox == []


@pytest.mark.fault("36")
def test_auto_reply_on_a_ticket_joins_without_reopening_and_is_marked():
    from comptoir.tickets.services import ticket_change

    t1, mid = open_ticket()
    ticket_change(ticket=t1, actor=None, changes={"status": Ticket.Status.WAITING_CUSTOMER})
    raw = plain(
        sender=ALICE,
        subject=f"Réponse automatique : [{t1.reference}] Compteur en panne",
        in_reply_to=mid,
        body="Je suis absente.",
        headers={"Auto-Submitted": "auto-replied", "X-Autoreply": "yes"},
    )
    outcome = receive(raw)
    assert outcome.result.ticket.pk == t1.pk
    t1.refresh_from_db()
    assert t1.status == Ticket.Status.WAITING_CUSTOMER
    assert Message.objects.get(pk=outcome.record.message_id).auto_submitted


@pytest.mark.fault("36")
def test_our_acknowledgment_carries_auto_submitted_and_routes_back(mailoutbox):
    t1, mid = open_ticket()
    assert len(mailoutbox) == 1
    mail = parse(mailoutbox[0].message().as_bytes())
    assert mail["Auto-Submitted"] == "auto-generated"
    assert mail["Reply-To"] == reply_address(t1.pk)
    assert mail["In-Reply-To"] == mid and mid in mail["References"]
    assert t1.reference in mail["Subject"]


@pytest.mark.fault("36")
def test_two_comptoirs_pointed_at_each_other_stop(settings, mailoutbox):
    """A (support@a.test) and B (support@b.test) each take the other for a customer.

    A customer writes to A naming B's address as sender; every mail one side sends is fed to
    the other side. The exchange must stop within two mails.
    """

    def become(address: str) -> None:
        settings.DEFAULT_FROM_EMAIL = settings.COMPTOIR_SUPPORT_ADDRESS = address

    become("support@a.test")
    receive(plain(sender="support@b.test", to="support@a.test", subject="Bonjour"))
    sides = ["support@b.test", "support@a.test"]
    mails = 0
    for turn in range(6):
        pending = mailoutbox[mails:]
        if not pending:
            break
        mails += len(pending)
        become(sides[turn % 2])
        for sent in pending:
            raw = sent.message().as_bytes()
            assert parse(raw)["Auto-Submitted"] == "auto-generated"
            receive(raw)
    assert mails >= 1, "A acknowledged the first mail"
    assert len(mailoutbox) <= 2
    assert Delivery.objects.count() <= 2
    # Everything each side received was kept.
    assert InboundRecord.objects.filter(status=InboundRecord.Status.PROCESSED).count() == 1 + mails


@pytest.mark.attack("abuse", "29")
def test_acknowledgments_to_one_sender_are_rate_limited():
    for n in range(30):
        receive(plain(sender="flood@client.example", subject=f"Demande {n}", body=f"texte {n}"))
    assert Ticket.objects.count() == 30, "every message is kept"
    acks = Delivery.objects.filter(kind=Delivery.Kind.ACK, recipient="flood@client.example").count()
    assert 1 <= acks <= 20


# --- 38: charsets ----------------------------------------------------------------------------------


@pytest.mark.fault("38")
@pytest.mark.parametrize("case", sorted(fixtures.CHARSET_CASES))
def test_charsets_keep_french_accents_exact(case):
    build, subject, body = fixtures.CHARSET_CASES[case]
    outcome = receive(build())
    assert outcome.result is not None, outcome.error
    ticket = outcome.result.ticket
    assert ticket.subject == subject
    assert ticket.messages.get().body == body
    assert ticket.customer.name == "Elodie Tremblay"


@pytest.mark.fault("38")
def test_8bit_latin1_subject_and_utf8_name_in_raw_headers_keep_accents():
    raw = (
        b"From: Ren\xc3\xa9e C\xc3\xb4t\xc3\xa9 <renee@client.example>\r\n"
        b"To: support@comptoir.localhost\r\n"
        b"Subject: Facture d\xe9j\xe0 pay\xe9e\r\n"
        b"Message-ID: <latin1-raw@client.example>\r\n"
        b"\r\nBonjour.\r\n"
    )
    outcome = receive(raw)
    assert outcome.result is not None, outcome.error
    assert outcome.result.ticket.subject == "Facture déjà payée"
    assert outcome.result.ticket.customer.name == "Renée Côté"


@pytest.mark.fault("35")
def test_malformed_headers_are_kept_not_lost():
    outcome = receive(fixtures.malformed_header())
    record = outcome.record
    assert bytes(record.raw) == fixtures.malformed_header()
    if record.status == InboundRecord.Status.FAILED:
        assert record.error
    else:
        assert record.status == InboundRecord.Status.PROCESSED
        assert "Le corps du message." in Message.objects.get(pk=record.message_id).body


@pytest.mark.fault("35")
def test_truncated_boundary_and_bad_base64_keep_the_text():
    outcome = receive(fixtures.truncated_boundary())
    assert outcome.result is not None, outcome.error
    assert "Le courant est coupé depuis ce matin." in outcome.result.ticket.messages.get().body


# --- content: HTML, quoted history, attachments ------------------------------------------------


@pytest.mark.attack("xss", "2")
def test_html_mail_is_sanitised():
    outcome = receive(fixtures.html_only())
    message = outcome.result.ticket.messages.get()
    html = message.body_html.lower()
    assert "ma facture" in html
    for bad in ("<script", "<iframe", "onerror", "onload", "javascript:", "<svg", "<form", "<img", "<style",
                "tracker.evil.test"):  # fmt: skip
        assert bad not in html, bad
    assert "https://example.org/aide" in html
    assert "alert(" not in message.body
    assert "Bonjour, ma facture est fausse." in message.body


@pytest.mark.fault("37")
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_quoted_history_is_separated_from_the_new_text(lang):
    outcome = receive(fixtures.with_quoted_history(lang))
    body = outcome.result.ticket.messages.get().body
    new = "Merci, le compteur fonctionne de nouveau." if lang == "fr" else "Thanks, the meter works again."
    assert body.startswith(new)
    for quoted in ("a écrit", "wrote:", "> ", "remplacé votre compteur", "replaced your meter"):
        assert quoted not in body, quoted


@pytest.mark.fault("37")
def test_signature_is_separated_from_the_new_text():
    outcome = receive(fixtures.with_quoted_history("en"))
    body = outcome.result.ticket.messages.get().body
    assert "Tel 514 555 0199" not in body
    assert body == "Thanks, the meter works again."


@pytest.mark.attack("files", "24")
def test_attachments_and_inline_image_are_kept_with_safe_names(settings):
    outcome = receive(fixtures.with_attachments())
    ticket = outcome.result.ticket
    atts = list(Attachment.objects.filter(ticket=ticket).order_by("id"))
    names = [a.filename for a in atts]
    assert len(atts) == 5, (names, ticket.messages.get().body)
    assert "relevé d'électricité.pdf" in names
    assert any(a.content_type == "image/png" for a in atts), "the inline image is kept"
    for att in atts:
        assert "/" not in att.filename and "\\" not in att.filename and ".." not in att.filename.strip(".")
        assert not any(ch in att.filename for ch in '<>"\u202e\u200b\x00')
        # Stored under a generated key, never the customer's name.
        assert att.file.name.startswith(f"{ticket.pk}/") and att.filename not in att.file.name
        with att.file.open("rb") as fh:
            content = fh.read()
        assert content in (PDF, fixtures.PNG)


@pytest.mark.attack("files", "25")
def test_20mb_attachment_keeps_the_message_and_names_the_refused_file(settings):
    settings.COMPTOIR_MAX_ATTACHMENT_BYTES = 10 * 1024**2
    raw = fixtures.big_attachment()
    assert len(raw) > 20 * 1024**2
    outcome = receive(raw)
    assert outcome.result is not None, outcome.error
    message = outcome.result.ticket.messages.get()
    assert "Veuillez trouver le relevé en pièce jointe." in message.body
    assert "releve-annuel.pdf" in message.body
    assert not Attachment.objects.exists()
    assert len(bytes(outcome.record.raw)) == len(raw), "the raw copy still holds the file"


@pytest.mark.fault("35")
def test_message_with_no_text_part_is_kept_with_its_file():
    outcome = receive(fixtures.no_text_part())
    assert outcome.result is not None, outcome.error
    ticket = outcome.result.ticket
    assert ticket.subject == "Photo du compteur"
    assert ticket.messages.get().body.strip()
    assert list(Attachment.objects.filter(ticket=ticket).values_list("filename", flat=True)) == [
        "compteur.png"
    ]


@pytest.mark.attack("injection", "20")
def test_encoded_newline_in_subject_never_becomes_a_header(mailoutbox):
    raw = plain(subject="x").replace(b"Subject: x", b"Subject: =?UTF-8?Q?hi=0D=0ABcc:_victim@x.test?=")
    outcome = receive(raw)
    ticket = outcome.result.ticket
    assert "\n" not in ticket.subject and "\r" not in ticket.subject
    (sent,) = mailoutbox
    assert sent.recipients() == ["elodie@client.example"]
    mail = parse(sent.message().as_bytes())
    assert mail["Bcc"] is None and mail["Cc"] is None
    assert all("victim" not in str(value) for name, value in mail.items() if name.lower() != "subject")
