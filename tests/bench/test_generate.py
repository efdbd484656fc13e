"""The benchmark data generator writes rows column by column: it must follow the schema."""

from __future__ import annotations

import pytest

from bench.generate import generate
from comptoir.tickets.models import Message, Ticket


@pytest.mark.django_db
def test_the_generator_fills_the_current_schema():
    """It broke twice silently (a NOT NULL column added to tickets and to messages)."""
    generate(60, seed=3)
    assert Ticket.objects.count() == 60
    assert Message.objects.filter(kind="customer").count() == 60
    assert not Ticket.objects.filter(analysing=True).exists()
