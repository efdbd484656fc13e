"""Key accounts and service levels, set up as an administrator would (issue 8, item 17).

Each test goes through the outside: the admin's forms, the API, the desk pages, the worker's
sweep; expected instants are written by hand.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone, translation

from comptoir.common.choices import tier_from_text
from comptoir.outbox.models import Delivery
from comptoir.sla.models import SlaPolicy, Target
from comptoir.sla.selectors import sla_deadline
from comptoir.sla.services import sla_default_setup
from comptoir.tickets.models import Ticket
from comptoir.tickets.services import ticket_update
from comptoir.tickets.sla import sla_sweep, ticket_sla_refresh
from comptoir.tickets.templatetags.tickets import time_left
from tests.factories import AgentFactory, CustomerFactory, EmailIdentityFactory
from tests.sla.factories import BusinessCalendarFactory, SlaPolicyFactory

pytestmark = pytest.mark.django_db

VIP = "vip@grandclient.example"


@pytest.fixture
def key_policy(db):
    """The per-priority policies of ``comptoir sla setup`` plus one naming only the key tier."""
    sla_default_setup()
    calendar = SlaPolicy.objects.filter(priority="P3").first().calendar
    return SlaPolicyFactory(
        name="Comptes clés", calendar=calendar, customer_tier="key", first_response_minutes=30
    )


@pytest.fixture
def vip(agent):
    coordinator = AgentFactory(email="coordo@comptoir.test", name="Chloé Coordo")
    customer = CustomerFactory(name="Grand Client Inc.", tier="key", coordinator=coordinator)
    EmailIdentityFactory(customer=customer, value=VIP)
    return customer


def _create(api_client: Client, email: str) -> dict:
    body = {"subject": "Facture", "body": "Notre facture est fausse.", "customer": {"email": email}}
    response = api_client.post("/api/v1/tickets", json.dumps(body), content_type="application/json")
    assert response.status_code == 201, response.content
    return response.json()


def test_a_policy_naming_only_the_tier_wins_over_the_per_priority_policies(key_policy, vip, api_client):
    created = _create(api_client, VIP)
    ticket = Ticket.objects.get(reference=created["reference"])
    assert ticket.sla_policy == key_policy
    assert created["sla"]["policy"] == "Comptes clés"
    assert "Key account" in created["sla"]["policy_reason"]
    assert created["customer"]["tier"] == "key"
    # A standard customer keeps the per-priority policy.
    other = _create(api_client, "someone@example.test")
    assert other["sla"]["policy"] != "Comptes clés" and "P3" in other["sla"]["policy_reason"]


def test_tier_is_a_choice_in_the_admin_and_the_precedence_is_explained(key_policy, vip):
    admin = AgentFactory(is_superuser=True)
    client = Client(headers={"Accept-Language": "en"})
    client.force_login(admin)
    listing = client.get("/admin/sla/slapolicy/").content.decode()
    assert "the customer tier beats the priority" in listing
    form = client.get(f"/admin/customers/customer/{vip.pk}/change/").content.decode()
    assert '<option value="key" selected>Key account</option>' in form
    typed = client.post(
        "/admin/sla/slapolicy/add/",
        {"name": "Typed", "calendar": key_policy.calendar_id, "customer_tier": "Key account",
         "first_response_minutes": 10, "next_response_minutes": 10, "resolution_minutes": 10,
         "warning_percent": 75},
    )  # fmt: skip
    assert typed.status_code == 200 and "Select a valid choice" in typed.content.decode()
    assert not SlaPolicy.objects.filter(name="Typed").exists()


@pytest.mark.fault("issue8-2")
def test_the_precedence_is_a_help_paragraph_not_the_page_title(key_policy):
    """It was the subtitle: the browser tab's title, a bold block under the Add button."""
    admin = AgentFactory(is_superuser=True)
    client = Client(headers={"Accept-Language": "en"})
    client.force_login(admin)
    listing = client.get("/admin/sla/slapolicy/").content.decode()
    title = re.search(r"<title>(.*?)</title>", listing, re.S).group(1).strip()
    assert title.startswith("SLA policies |") and "criteria" not in title
    assert "<h2>" not in listing.split('id="content"', 1)[1].split('id="content-main"', 1)[0]
    help_text = re.search(r'<p class="help" data-testid="precedence">(.*?)</p>', listing, re.S).group(1)
    assert "the customer tier beats the priority" in help_text


def test_older_free_text_tiers_are_read_as_what_they_meant():
    assert tier_from_text("Key account") == tier_from_text(" compte  clé ") == "key"
    assert tier_from_text("gold") == "gold"  # kept: it still matches what it matched before
    assert tier_from_text("") is None and tier_from_text(None) is None


def test_tier_and_coordinator_are_shown_on_the_desk_and_the_api(key_policy, vip, api_client, desk_client):
    reference = _create(api_client, VIP)["reference"]
    page = desk_client.get(f"/desk/tickets/{reference}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Key account" in page and "Chloé Coordo" in page
    assert "customer tier Key account" in page  # why the policy applies
    customer_page = desk_client.get(f"/desk/customers/{vip.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Key account" in customer_page and "Chloé Coordo" in customer_page
    data = api_client.get(f"/api/v1/customers/{vip.pk}").json()
    assert (data["tier"], data["coordinator"]) == ("key", "coordo@comptoir.test")
    queue = desk_client.get("/desk/?scope=all", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-testid="key-account"' in queue


def test_a_paused_clock_says_paused(key_policy, api_client, desk_client, agent):
    reference = _create(api_client, "waiting@example.test")["reference"]
    ticket = Ticket.objects.get(reference=reference)
    ticket_update(ticket_id=ticket.pk, actor=agent, version=ticket.version, status="waiting_customer")
    sla = api_client.get(f"/api/v1/tickets/{reference}").json()["sla"]
    assert sla["paused"] is True and sla["policy"]
    page = desk_client.get(f"/desk/tickets/{reference}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "SLA clock paused" in page
    queue = desk_client.get("/desk/?scope=all", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "paused (waiting on the customer)" in queue
    running = _create(api_client, "running@example.test")["reference"]
    assert api_client.get(f"/api/v1/tickets/{running}").json()["sla"]["paused"] is False


def test_less_than_a_minute_is_never_zero_minutes():
    with translation.override("en"):
        assert time_left(timezone.now() - timedelta(seconds=20)) == "late by less than a minute"
        assert time_left(timezone.now() + timedelta(seconds=30)) == "due in less than a minute"
        assert time_left(timezone.now() - timedelta(seconds=150)) == "late by 2 min"


def test_a_24_7_calendar_is_one_switch():
    calendar = BusinessCalendarFactory(name="24/7", hours=[], always_open=True, holiday_country="FR")
    policy = SlaPolicyFactory(calendar=calendar, first_response_minutes=90, resolution_minutes=600)
    paris = ZoneInfo("Europe/Paris")
    saturday_night = datetime(2026, 7, 11, 23, 0, tzinfo=paris)  # eve of a weekend and of 14 juillet
    due = sla_deadline(policy=policy, target=Target.FIRST_RESPONSE, started_at=saturday_night).due_at
    assert due == datetime(2026, 7, 12, 0, 30, tzinfo=paris)
    long = sla_deadline(policy=policy, target=Target.RESOLUTION, started_at=saturday_night).due_at
    assert long == datetime(2026, 7, 12, 9, 0, tzinfo=paris)


def test_alerts_without_assignee_or_supervisor_reach_the_administrators(make_ticket):
    always = BusinessCalendarFactory(name="always", holiday_country="", holiday_subdiv=None, always_open=True)
    SlaPolicy.objects.all().delete()
    SlaPolicyFactory(calendar=always, first_response_minutes=60, warning_percent=50)
    admin = AgentFactory(is_superuser=True, email="admin@comptoir.test", language="en")
    ticket = make_ticket()
    assert ticket.assignee_id is None
    Ticket.objects.filter(pk=ticket.pk).update(created_at=timezone.now() - timedelta(minutes=75))
    ticket_sla_refresh(ticket=Ticket.objects.select_related("customer").get(pk=ticket.pk))
    assert sla_sweep() == 2
    breach = Delivery.objects.get(kind="staff_alert", idempotency_key__startswith="sla:breach")
    assert breach.recipient == admin.email
    assert "escalated" not in breach.body and "flagged for review" in breach.body


@pytest.mark.django_db(transaction=True)
def test_upgrading_reads_an_older_free_text_key_tier_as_a_key_account():
    """The data migration of issue 8: "Key account" typed in an older version becomes ``key``."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before, after = [("customers", "0005_customer_merge")], [("customers", "0006_tier_choices")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps.get_model("customers", "Customer")
    typed = old.objects.create(name="Grand Client", tier="Key account").pk
    gold = old.objects.create(name="Client or", tier="gold").pk
    executor = MigrationExecutor(connection)
    executor.migrate(after)
    new = executor.loader.project_state(after).apps.get_model("customers", "Customer")
    assert new.objects.get(pk=typed).tier == "key"
    assert new.objects.get(pk=gold).tier == "gold"
    # Back to the latest schema: going back to 0005 also unapplied what depends on it.
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
