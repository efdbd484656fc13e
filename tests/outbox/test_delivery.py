"""The outbox against a real SMTP server (aiosmtpd) started by the test."""

from __future__ import annotations

import pytest
from aiosmtpd.controller import Controller
from django.core.management import call_command
from django.test import Client
from django.utils import translation

from comptoir.outbox.models import Delivery
from comptoir.outbox.services import delivery_send, delivery_sweep

from ..support import Inbox, free_port

pytestmark = pytest.mark.django_db(transaction=True)


def test_ack_reaches_real_smtp_in_french_with_working_link(smtp_out, settings, make_ticket):
    settings.BASE_URL = "http://testserver"
    ticket = make_ticket(email="benoit@example.test", language="fr", subject="Compteur en panne")
    assert len(smtp_out.messages) == 1
    mail = smtp_out.messages[0]
    assert mail["To"] == "benoit@example.test"
    assert ticket.reference in mail["Subject"]
    assert mail["Auto-Submitted"] == "auto-generated"  # robots must not answer it
    body = mail.get_content()
    with translation.override("fr"):
        french = translation.gettext("Follow your request and reply to us here:")
    assert french != "Follow your request and reply to us here:"  # the catalogue has it
    assert french in body
    link = next(line for line in body.splitlines() if line.startswith("http://testserver/track/"))
    page = Client().get(link.removeprefix("http://testserver"))
    assert page.status_code == 200
    assert ticket.subject in page.content.decode()
    delivery = Delivery.objects.get(ticket=ticket)
    assert delivery.status == Delivery.Status.SENT and mail["Message-ID"] == delivery.message_id


def test_reply_is_threaded_under_the_ack(smtp_out, make_ticket, agent):
    from comptoir.tickets.services import ticket_agent_message

    ticket = make_ticket(email="noe@example.test", language="en")
    ticket_agent_message(ticket=ticket, actor=agent, body="Your meter was replaced.", internal=False)
    ack, reply = smtp_out.messages
    assert reply["In-Reply-To"] == ack["Message-ID"]
    assert ack["Message-ID"] in reply["References"]
    assert "Your meter was replaced." in reply.get_content()


def test_smtp_down_then_back_retries_with_same_message_id(settings, make_ticket):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nothing listens
    settings.EMAIL_TIMEOUT = 2
    ticket = make_ticket(email="gael@example.test")
    delivery = Delivery.objects.get(ticket=ticket)
    assert delivery.status == Delivery.Status.PENDING
    assert delivery.attempts == 1 and "Connection" in delivery.last_error
    assert delivery.next_attempt_at is not None
    # Not due yet: a second call does nothing.
    assert delivery_send(delivery_id=delivery.pk).attempts == 1

    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=settings.EMAIL_PORT)
    controller.start()
    try:
        Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=delivery.created_at)
        assert delivery_sweep() == 1
    finally:
        controller.stop()
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT and delivery.attempts == 2
    assert [m["Message-ID"] for m in handler.messages] == [delivery.message_id]
    assert delivery_sweep() == 0  # sent once, never again


def test_permanent_refusal_is_a_visible_failure(settings, make_ticket, agent):
    class Refuse(Inbox):
        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # type: ignore[no-untyped-def]
            return "550 5.1.1 No such user"

    controller = Controller(Refuse(), hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    try:
        ticket = make_ticket(email="nobody@example.test")
    finally:
        controller.stop()
    delivery = Delivery.objects.get(ticket=ticket)
    assert delivery.status == Delivery.Status.FAILED
    assert "550" in delivery.last_error
    agent.is_supervisor = True  # the outbox page is for supervisors
    agent.save(update_fields=["is_supervisor"])
    client = Client()
    client.force_login(agent)
    assert "No such user" in client.get("/desk/outbox/").content.decode()


def test_crash_mid_send_resends_once_with_same_message_id(smtp_out, make_ticket):
    """A worker died after claiming (status 'sending'): the sweep re-arms it, same Message-ID."""
    from datetime import timedelta

    from django.utils import timezone

    ticket = make_ticket(email="maelle@example.test")
    delivery = Delivery.objects.get(ticket=ticket)
    first_id = smtp_out.messages[0]["Message-ID"]
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Delivery.Status.SENDING, next_attempt_at=timezone.now() - timedelta(minutes=10)
    )
    assert delivery_sweep() == 1
    assert [m["Message-ID"] for m in smtp_out.messages] == [first_id, first_id]
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT


def test_database_task_backend_and_worker_send_the_ack(smtp_out, settings, make_ticket):
    """The outbox is the queue: with the database backend the request writes no task row for a
    delivery; the worker's outbox pump (a registered job) sends it."""
    from django_tasks_db.models import DBTaskResult

    from comptoir.console.workers import sweep_once
    from comptoir.outbox.tasks import delivery_send_task

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    ticket = make_ticket(email="jerome@example.test")
    assert smtp_out.messages == []
    assert Delivery.objects.get(ticket=ticket).status == Delivery.Status.PENDING
    assert not DBTaskResult.objects.filter(task_path=delivery_send_task.module_path).exists()
    call_command("db_worker", batch=True, startup_delay=False, interval=0, verbosity=0)
    assert smtp_out.messages == []  # nothing for the task worker: the pump sends
    sweep_once()
    assert [m["To"] for m in smtp_out.messages] == ["jerome@example.test"]
    assert Delivery.objects.get(ticket=ticket).status == Delivery.Status.SENT


def test_reply_attachment_travels_with_the_email(smtp_out, make_ticket, agent):
    from comptoir.tickets.files import IncomingFile
    from comptoir.tickets.services import ticket_agent_message

    ticket = make_ticket(email="ava@example.test", language="en")
    pdf = IncomingFile(name="invoice-corrected.pdf", content=b"%PDF-1.4\n%corrected\n")
    ticket_agent_message(
        ticket=ticket, actor=agent, body="Corrected invoice attached.", internal=False, files=[pdf]
    )
    reply = smtp_out.messages[-1]
    parts = [p for p in reply.iter_attachments()]
    assert [p.get_filename() for p in parts] == ["invoice-corrected.pdf"]
    assert parts[0].get_content() == b"%PDF-1.4\n%corrected\n"


@pytest.mark.fault("issue9-outbox")
def test_the_pump_sends_each_due_email_once_and_leaves_another_senders_claim(smtp_out, make_ticket):
    """The outbox pump claims what is due as a batch: each due email goes once, a delivery
    another sender holds (its lease running) is left to it, and a second pass sends nothing."""
    from datetime import timedelta

    from django.utils import timezone

    from comptoir.outbox.services import delivery_pump

    for n in range(3):
        make_ticket(email=f"pump{n}@example.test")
    smtp_out.messages.clear()  # as if nothing had been sent yet: all three due now
    Delivery.objects.update(status=Delivery.Status.PENDING, sent_at=None, next_attempt_at=timezone.now())
    held = Delivery.objects.get(recipient="pump2@example.test")
    Delivery.objects.filter(pk=held.pk).update(
        status=Delivery.Status.SENDING, next_attempt_at=timezone.now() + timedelta(minutes=1)
    )
    assert delivery_pump() == 2
    assert sorted(m["To"] for m in smtp_out.messages) == ["pump0@example.test", "pump1@example.test"]
    assert delivery_pump() == 0 and len(smtp_out.messages) == 2
    statuses = dict(Delivery.objects.values_list("recipient", "status"))
    assert statuses == {
        "pump0@example.test": "sent",
        "pump1@example.test": "sent",
        "pump2@example.test": "sending",
    }
