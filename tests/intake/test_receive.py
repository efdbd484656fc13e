from __future__ import annotations

import pytest

from comptoir.common.exceptions import InvalidInput
from comptoir.customers.models import Customer, Identity
from comptoir.customers.services import CustomerData
from comptoir.intake.models import InboundRecord
from comptoir.intake.services import InboundMessage, receive
from comptoir.outbox.models import Delivery
from comptoir.tickets.models import Ticket

pytestmark = pytest.mark.django_db


def msg(**kw):  # type: ignore[no-untyped-def]
    base = {
        "channel": "api",
        "customer": CustomerData(name="Noël Gauthier", email="noel@example.test", language="fr"),
        "subject": "Réclamation électricité",
        "text": "Le courant est coupé depuis hier soir.",
    }
    return InboundMessage(**{**base, **kw})


def test_receive_creates_customer_ticket_message_history_and_ack():
    result = receive(msg())
    ticket = result.ticket
    assert result.created
    assert ticket.reference == f"CPT-{ticket.pk:06d}"
    assert ticket.customer.identities.get().value == "noel@example.test"
    assert ticket.messages.get().body == "Le courant est coupé depuis hier soir."
    assert ticket.language == "fr" and ticket.status == "new" and ticket.is_open
    # Intake's own events, then the enrichment's (run at once by the tests' task backend): the
    # classifier's category, and the analysis with its outcome and duration.
    fields = list(ticket.events.order_by("id").values_list("field", flat=True))
    assert fields[:2] == ["created", "triage"] and fields[-1] == "enrichment"
    assert "duration=" in ticket.events.get(field="enrichment").new
    assert Delivery.objects.get(ticket=ticket).kind == "ack"
    assert result.record.status == InboundRecord.Status.PROCESSED


def test_same_external_id_is_one_ticket():
    first = receive(msg(external_id="abc"))
    again = receive(msg(external_id="abc"))
    assert first.ticket.pk == again.ticket.pk and not again.created
    assert Ticket.objects.count() == 1 and Delivery.objects.count() == 1


def test_known_identity_reuses_customer_and_attaches_new_identity():
    first = receive(msg())
    second = receive(msg(customer=CustomerData(name="", email="NOEL@Example.test", phone="+1 613 555 0142")))
    assert second.ticket.customer_id == first.ticket.customer_id
    assert Customer.objects.count() == 1
    assert set(Identity.objects.values_list("kind", "value")) == {
        ("email", "noel@example.test"),
        ("phone", "+16135550142"),
    }


def test_phone_only_customer_gets_no_email_ack_but_a_ticket():
    result = receive(msg(customer=CustomerData(name="Zoé", phone="(514) 555-0123")))
    assert result.ticket.customer.identities.get().value == "+15145550123"
    assert Delivery.objects.count() == 0


def test_invalid_input_is_kept_with_its_reason_and_nothing_half_made():
    with pytest.raises(InvalidInput):
        receive(msg(customer=CustomerData(name="X", email="not-an-address"), external_id="bad-1"))
    record = InboundRecord.objects.get()
    assert record.status == InboundRecord.Status.FAILED and record.error
    assert record.payload["subject"] == "Réclamation électricité"
    assert Ticket.objects.count() == 0 and Customer.objects.count() == 0


def test_failed_record_can_be_replayed_after_fix():
    with pytest.raises(InvalidInput):
        receive(msg(text="   ", external_id="replay-1"))
    assert InboundRecord.objects.get().status == InboundRecord.Status.FAILED
    # Same delivery again (e.g. a retry by the channel) with the same content is still refused...
    with pytest.raises(InvalidInput):
        receive(msg(text="   ", external_id="replay-1"))
    assert InboundRecord.objects.count() == 1 and Ticket.objects.count() == 0
