"""Incidents in tests: a service with keywords and a category, and a declared incident."""

from __future__ import annotations

import pytest

from comptoir.incidents.models import Service
from comptoir.incidents.services import incident_declare
from comptoir.tickets.services import category_ensure


@pytest.fixture
def electricity(db):
    category = category_ensure(slug="outage", name_en="Outage", name_fr="Panne")
    return Service.objects.create(
        slug="electricity", name_fr="Électricité", name_en="Electricity",
        keywords="courant, coupure\npower cut, outage", category=category,
    )  # fmt: skip


@pytest.fixture
def incident(agent, electricity):
    return incident_declare(
        actor=agent, title="Coupure de courant Paris 11e", service_slug="electricity", area="75011",
        impact="major", workaround_fr="Utilisez une lampe torche.", workaround_en="Use a torch.",
    )  # fmt: skip
