"""`comptoir demo` as a new team meets it (issue 10 walk): agents write in their own language,
and the bell starts with a handful of things still to do, not the demo's whole history."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from django.test import Client

from comptoir.accounts.models import User
from comptoir.console.demo_data import ANGRY
from comptoir.console.management.commands.demo import AGENTS, DEMO_PASSWORD
from comptoir.notifications.models import Notification
from comptoir.tickets.models import Ticket

# A handful: the open tickets an agent holds (3 each) and the escalations waiting for level 2.
HANDFUL = 8


def _bell(email: str) -> int:
    client = Client()
    assert client.login(username=email, password=DEMO_PASSWORD)
    page = client.get("/desk/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    return int(re.search(r'data-testid="bell" [^>]*data-unread="(\d+)"', page).group(1))


# transaction=True: notifications are written once each change commits, as in production.
@pytest.mark.django_db(transaction=True)
def test_demo_agents_work_in_their_language_and_start_with_a_quiet_bell() -> None:
    call_command("demo", "--tickets", "120", stdout=io.StringIO())
    languages = dict(User.objects.filter(is_agent=True).values_list("email", "language"))
    for email, name, _team, _level, language in AGENTS:
        assert languages[email] == language, name
    assert languages["camille@demo.comptoir.test"] == "fr"  # Camille Dubé works in French
    assert languages["sam@demo.comptoir.test"] == "en"
    assert Ticket.objects.filter(status__in=["resolved", "closed"]).exists()
    bells = {}
    for email, _name, _team, level, _language in AGENTS:
        bells[email] = _bell(email)
        assert bells[email] <= HANDFUL, (email, bells[email])
        # The history told them about resolved and closed tickets: kept, but read.
        settled = Notification.objects.filter(
            recipient__email=email, ticket__status__in=["resolved", "closed"]
        )
        assert not settled.filter(read_at__isnull=True).exists()
        if level == 1:
            assert settled.exists()  # the history is still there to browse
            assert bells[email] >= 1  # what they hold now is still news
    # Issues 12-13: an open outage on the status page, broadcast to the customers of its area or
    # service; customers with an area and services; a quality threshold for the supervisor.
    from comptoir.incidents.broadcast import affected_customers
    from comptoir.incidents.models import Incident
    from comptoir.insights.models import QualityThreshold

    incident = Incident.objects.get()
    assert incident.area == "H2T" and incident.updates.count() == 1
    assert affected_customers(incident=incident).count() >= 10
    status = Client().get("/status/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Panne de courant" in status and "Une équipe est sur place" in status
    assert QualityThreshold.objects.filter(owner__email="alex@demo.comptoir.test").exists()
    unread = Notification.objects.filter(read_at__isnull=True).count()
    call_command("demo", stdout=io.StringIO())  # idempotent: nothing added, nothing re-read
    assert Ticket.objects.count() == 120 + len(ANGRY)  # the unhappy customers' tickets too
    assert Notification.objects.filter(read_at__isnull=True).count() == unread
    assert {email: _bell(email) for email, *_ in AGENTS} == bells
    assert Incident.objects.count() == 1
