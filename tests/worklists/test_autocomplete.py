"""Choosing a person or a customer is an autocomplete: bounded, agents only."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from comptoir.accounts.models import User

from ..factories import AgentFactory

pytestmark = pytest.mark.django_db


def test_agent_autocomplete_is_bounded_and_lists_active_agents_only(desk_client):
    for i in range(15):
        AgentFactory(name=f"Martin {i:02d}", email=f"martin{i}@comptoir.test")
    AgentFactory(name="Martin Parti", email="parti@comptoir.test", is_active=False)
    User.objects.create_user(email="martin.client@example.test", name="Martin Client")
    html = desk_client.get("/desk/autocomplete/agents/", {"q": "martin"}).content.decode()
    values = re.findall(r'<option value="([^"]+)"', html)
    assert len(values) == 10
    assert all(v.endswith("@comptoir.test") for v in values)
    assert "parti@comptoir.test" not in html and "martin.client@example.test" not in html
    # The ticket form's field sends its own name: the endpoint reads it too.
    one = desk_client.get("/desk/autocomplete/agents/", {"assignee": "Martin 07"}).content.decode()
    assert re.findall(r'<option value="([^"]+)"', one) == ["martin7@comptoir.test"]


def test_customer_autocomplete_needs_two_characters_and_is_bounded(desk_client, make_ticket):
    for i in range(12):
        make_ticket(email=f"gagnon{i}@example.test", name=f"Gagnon {i}")
    assert "<option" not in desk_client.get("/desk/autocomplete/customers/", {"q": "g"}).content.decode()
    html = desk_client.get("/desk/autocomplete/customers/", {"q": "gagnon"}).content.decode()
    assert len(re.findall(r"<option", html)) == 10


def test_ticket_assignee_is_an_autocomplete_not_a_list_of_every_agent(desk_client, make_ticket, agent):
    for i in range(5):
        AgentFactory(name=f"Agent {i}")
    ticket = make_ticket()
    html = desk_client.get(f"/desk/tickets/{ticket.reference}/").content.decode()
    field = re.search(r"<input[^>]*name=\"assignee\"[^>]*>", html).group(0)
    assert 'list="agent-options"' in field and "/desk/autocomplete/agents/" in field
    assert '<select name="assignee"' not in html
    # Typed as an email, the assignment works; an unknown email is a form error.
    ticket.refresh_from_db()
    colleague = AgentFactory(email="collegue@comptoir.test")
    data = {"version": ticket.version, "status": "open", "priority": "P3", "team": "", "category": ""}
    bad = desk_client.post(f"/desk/tickets/{ticket.reference}/change/", {**data, "assignee": "nobody@x.test"})
    assert bad.status_code == 400
    ok = desk_client.post(
        f"/desk/tickets/{ticket.reference}/change/", {**data, "assignee": "COLLEGUE@comptoir.test"}
    )
    assert ok.status_code == 302
    ticket.refresh_from_db()
    assert ticket.assignee == colleague


def test_autocomplete_refuses_customers_and_visitors(make_ticket):
    customer = User.objects.create_user(email="cliente@example.test", password="pw-123456789")
    client = Client()
    client.force_login(customer)
    assert client.get("/desk/autocomplete/agents/", {"q": "a"}).status_code == 404
    assert client.get("/desk/autocomplete/customers/", {"q": "cl"}).status_code == 404
    assert Client().get("/desk/autocomplete/customers/", {"q": "cl"}).status_code == 302
