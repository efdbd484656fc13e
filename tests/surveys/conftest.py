"""Surveys in tests: sent at the resolution (no delay), links read back from the outbox."""

from __future__ import annotations

import re

import pytest

from comptoir.outbox.models import Delivery
from comptoir.tickets.services import ticket_update

LINK = re.compile(r"/survey/(?P<reference>[^/\s]+)/(?P<token>[^/?\s]+)/")


@pytest.fixture(autouse=True)
def _no_delay(settings):
    settings.COMPTOIR_SURVEY_DELAY = 0


@pytest.fixture
def resolve(agent, django_capture_on_commit_callbacks):
    """Resolve a ticket through the one door, after-commit handlers run as in production."""

    def run(ticket, status="resolved"):
        ticket.refresh_from_db()
        with django_capture_on_commit_callbacks(execute=True):
            ticket_update(ticket_id=ticket.pk, actor=agent, version=ticket.version, status=status)
        ticket.refresh_from_db()
        return ticket

    return run


def survey_link(ticket) -> tuple[str, str]:
    """(reference, token) of the survey message sent for ``ticket``."""
    delivery = Delivery.objects.get(ticket=ticket, kind="survey")
    match = LINK.search(delivery.body)
    assert match is not None, delivery.body
    return match["reference"], match["token"]
