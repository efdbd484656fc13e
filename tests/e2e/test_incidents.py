"""Issue 13 in a real browser, with a real SMTP server: an agent declares an incident from a
ticket, links a second ticket by reference, publishes an update in French and English; the
customer sees it on their tracking page and receives it by email (what went on the wire)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from comptoir.incidents.models import Service
from comptoir.tickets.tracking import make_token
from tests.factories import AgentFactory, TeamFactory

from .conftest import assert_accessible
from .test_journey import agent_login

pytestmark = pytest.mark.e2e


def test_declare_link_update_then_customer_sees_it(live_server, settings, make_ticket, new_context, smtp_out):
    settings.BASE_URL = live_server.url
    agent = AgentFactory(teams=[TeamFactory(name="Soutien")], email="incident@comptoir.test")
    Service.objects.create(slug="power", name_fr="Électricité", name_en="Electricity", keywords="courant")
    first = make_ticket(
        email="amelie@example.test", subject="Rien ne marche", body="Tout est éteint chez moi."
    )
    second = make_ticket(
        email="bob@example.test", subject="Nothing works", body="Everything is off at home.", language="en"
    )

    desk = agent_login(new_context("en-CA"), live_server.url, agent.email)
    desk.goto(f"{live_server.url}/desk/tickets/{first.reference}/")
    desk.get_by_test_id("incident-card").get_by_test_id("declare-incident").click()
    expect(desk.get_by_test_id("incident-from-ticket")).to_contain_text(first.reference)
    form = desk.get_by_test_id("incident-form")
    form.get_by_label("Title").fill("Panne Plateau / Plateau outage")
    form.get_by_label("Affected service").select_option("power")
    form.get_by_label("Affected area (postal-code prefix or district)").fill("H2T")
    form.get_by_label("Workaround (French)").fill("Bornes ouvertes au parc Laurier.")
    form.get_by_label("Workaround (English)").fill("Charging points open in Laurier Park.")
    form.get_by_test_id("incident-submit").click()
    expect(desk).to_have_url(re.compile(r"/desk/incidents/\d+/$"))
    reference = desk.get_by_test_id("incident-reference").inner_text()
    expect(desk.get_by_test_id("incident-ticket")).to_have_count(1)

    desk.get_by_test_id("incident-link-form").get_by_role("textbox").fill(second.reference)
    desk.get_by_test_id("incident-link").click()
    expect(desk.get_by_test_id("incident-ticket")).to_have_count(2)

    update = desk.get_by_test_id("incident-update-form")
    update.get_by_label("Update (French)").fill("Une équipe est sur place, retour prévu à 18 h.")
    update.get_by_label("Update (English)").fill("A crew is on site, power expected back at 6 pm.")
    update.get_by_label("Status after this update").select_option("identified")
    update.get_by_test_id("incident-publish").click()
    expect(desk.get_by_test_id("incident-status")).to_have_text("Identified")
    expect(desk.get_by_test_id("broadcast-progress")).to_contain_text("2 sent")
    assert_accessible(desk)

    # The desk ticket page shows the incident.
    desk.goto(f"{live_server.url}/desk/tickets/{second.reference}/")
    expect(desk.get_by_test_id("ticket-incident")).to_contain_text(reference)

    # The customer's tracking page, in French.
    customer = new_context("fr-FR").new_page()
    customer.goto(f"{live_server.url}/track/{make_token(first.tracking_uid)}/")
    box = customer.get_by_test_id("ticket-incidents")
    expect(box.get_by_test_id("incident-update")).to_contain_text("Une équipe est sur place")
    expect(box.get_by_test_id("incident-workaround")).to_contain_text("Bornes ouvertes au parc Laurier.")
    assert_accessible(customer)
    customer.goto(f"{live_server.url}/status/")
    expect(customer.get_by_test_id("public-incident")).to_contain_text("Panne Plateau")
    assert agent.email not in customer.content()

    # What the real SMTP server received: one message each, in each customer's language.
    broadcasts = [m for m in smtp_out.messages if reference in str(m["Subject"])]
    assert sorted(m["To"] for m in broadcasts) == ["amelie@example.test", "bob@example.test"]
    french = next(m for m in broadcasts if m["To"] == "amelie@example.test").get_content()
    english = next(m for m in broadcasts if m["To"] == "bob@example.test").get_content()
    assert "Une équipe est sur place" in french and "/status/" in french
    assert "A crew is on site" in english and "Charging points open in Laurier Park." in english
