"""Retries that race: two deliveries of one request at the same moment still make one ticket."""

from __future__ import annotations

import pytest

from comptoir.customers.services import CustomerData
from comptoir.intake.services import InboundMessage, receive
from comptoir.tickets.models import Message, Ticket
from tests.support import at_once


@pytest.mark.django_db(transaction=True)
@pytest.mark.fault("40")
def test_concurrent_deliveries_of_one_request_make_one_ticket():
    message = InboundMessage(
        channel="api",
        customer=CustomerData(name="Maëlle Bouchard", email="maelle@example.test", language="fr"),
        subject="Prélèvement en double",
        text="J'ai été prélevée deux fois ce mois-ci.",
        external_id="race-1",
    )
    results = at_once(lambda: receive(message).ticket.pk)
    assert len(set(results)) == 1 and len(results) == 4
    assert Ticket.objects.count() == 1 and Message.objects.count() == 1
