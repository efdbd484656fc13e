"""Issue 8, items 2 and 5 (de-escalation), from outside: the login throttle on every login path,
the admin for administrators only, and who may send an escalated ticket back to level 1.

Merging customers (item 4) is tested in tests/customers/test_merge.py.
"""

from __future__ import annotations

import pytest
from django.test import Client

from comptoir.accounts.services import api_token_create
from comptoir.assignment.services import ticket_escalate
from comptoir.tickets.models import Ticket, TicketEvent
from tests.factories import AgentFactory, TeamFactory

PASSWORD = "agent-password-1"  # tests.factories.AgentFactory's
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _login(path: str, email: str, password: str, ip: str):  # type: ignore[no-untyped-def]
    client = Client(REMOTE_ADDR=ip, **EN)
    return client, client.post(path, {"username": email, "password": password}, **EN)


def _logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


# --- item 2: one throttle on every login path -----------------------------------------------------


@pytest.mark.django_db
@pytest.mark.attack("rate-limit", "issue8-2")
def test_admin_login_answers_429_after_ten_failures():
    admin = AgentFactory(is_superuser=True)
    statuses = [
        _login("/admin/login/", admin.email, "wrong-guess", "203.0.113.40")[1].status_code for _ in range(12)
    ]
    assert statuses == [200] * 10 + [429, 429]
    # Refused before the password is checked: the right one does not get in either.
    client, response = _login("/admin/login/", admin.email, PASSWORD, "203.0.113.40")
    assert response.status_code == 429 and not _logged_in(client)
    assert "Too many login attempts" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.attack("rate-limit", "issue8-2")
def test_desk_and_admin_logins_share_one_counter():
    agent = AgentFactory()
    ip = "203.0.113.41"
    desk = [_login("/desk/login/", agent.email, "wrong", ip)[1].status_code for _ in range(5)]
    admin = [_login("/admin/login/", agent.email, "wrong", ip)[1].status_code for _ in range(5)]
    assert desk + admin == [200] * 10
    # Alternating paths does not buy more guesses.
    assert _login("/desk/login/", agent.email, "wrong", ip)[1].status_code == 429
    assert _login("/admin/login/", agent.email.upper(), "wrong", ip)[1].status_code == 429


@pytest.mark.django_db
@pytest.mark.attack("rate-limit", "issue8-2")
def test_an_attacker_elsewhere_cannot_keep_an_agent_out():
    agent = AgentFactory()
    admin = AgentFactory(is_superuser=True)
    for victim in (agent, admin):
        hammering = [
            _login(path, victim.email, f"guess-{n}", "203.0.113.66")[1].status_code
            for n in range(15)
            for path in ("/desk/login/", "/admin/login/")
        ]
        assert hammering.count(429) == 20  # the attacker's address is stopped after ten failures
    # Meanwhile, from their own addresses, the agent and the administrator log in at once.
    client, response = _login("/desk/login/", agent.email, PASSWORD, "198.51.100.7")
    assert response.status_code == 302 and _logged_in(client)
    client, response = _login("/admin/login/", admin.email, PASSWORD, "198.51.100.8")
    assert response.status_code == 302 and _logged_in(client)


@pytest.mark.django_db
@pytest.mark.attack("rate-limit", "issue8-2")
def test_one_address_spraying_many_accounts_is_stopped():
    """Per (address, account) counting alone would allow ten guesses at every account."""
    statuses = [
        _login("/desk/login/", f"someone{n}@comptoir.test", "Summer2026!", "203.0.113.77")[1].status_code
        for n in range(32)
    ]
    assert statuses[:30] == [200] * 30 and statuses[30:] == [429, 429]
    # Another address is not affected.
    assert _login("/desk/login/", "someone0@comptoir.test", "x", "203.0.113.78")[1].status_code == 200


@pytest.mark.django_db
@pytest.mark.attack("rate-limit", "issue8-2")
def test_successful_logins_do_not_count():
    agent = AgentFactory()
    for _ in range(12):
        client, response = _login("/desk/login/", agent.email, PASSWORD, "198.51.100.9")
        assert response.status_code == 302 and _logged_in(client)


# --- item 2: the admin is for administrators -----------------------------------------------------


@pytest.mark.django_db
@pytest.mark.attack("access", "issue8-2")
def test_an_agent_cannot_log_into_the_admin_and_gets_no_oracle():
    agent = AgentFactory(is_supervisor=True, level=2)  # is_staff, like every agent
    assert agent.is_staff and not agent.is_superuser
    right_client, right = _login("/admin/login/", agent.email, PASSWORD, "198.51.100.20")
    _wrong_client, wrong = _login("/admin/login/", agent.email, "not-the-password", "198.51.100.21")
    assert right.status_code == wrong.status_code == 200
    assert not _logged_in(right_client)
    # The right password answers exactly as a wrong one: the admin reveals no agent's password.
    assert right.context["form"].errors == wrong.context["form"].errors


@pytest.mark.django_db
@pytest.mark.attack("access", "issue8-2")
def test_a_logged_in_agent_is_refused_every_admin_page():
    agent = AgentFactory(is_supervisor=True, level=2)
    client = Client(**EN)
    client.force_login(agent)
    for path in ("/admin/", "/admin/accounts/user/", f"/admin/accounts/user/{agent.pk}/change/"):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/"), path
    assert client.get("/desk/").status_code == 200  # the desk is theirs


@pytest.mark.django_db
@pytest.mark.attack("access", "issue8-2")
def test_an_administrator_uses_the_admin():
    admin = AgentFactory(is_superuser=True)
    client = Client(**EN)
    client.force_login(admin)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/accounts/user/").status_code == 200


# --- item 5: who may de-escalate -----------------------------------------------------------------


@pytest.fixture
def escalated(make_ticket):  # type: ignore[no-untyped-def]
    level_1 = TeamFactory(name="Accueil", level=1)
    level_2 = TeamFactory(name="Spécialistes", level=2)
    junior = AgentFactory(teams=[level_1], level=1)
    ticket = make_ticket()
    ticket_escalate(
        actor=junior, ticket_id=ticket.pk, reason="Compteur", summary="Relevé impossible.", team=level_2
    )
    ticket.refresh_from_db()
    assert ticket.level == Ticket.Level.L2
    return ticket, junior, level_2


def _escalation_events(ticket: Ticket) -> int:
    return TicketEvent.objects.filter(ticket=ticket, field="escalation").count()


@pytest.mark.django_db
@pytest.mark.attack("access", "issue8-5")
def test_a_level_1_agent_cannot_deescalate_through_the_api(escalated):  # type: ignore[no-untyped-def]
    ticket, junior, _team = escalated
    before = _escalation_events(ticket)
    api = Client(headers={"Authorization": f"Bearer {api_token_create(user=junior)}"})
    response = api.post(
        f"/api/v1/tickets/{ticket.reference}/deescalate",
        {"reason": "I can do it"},
        content_type="application/json",
    )
    assert response.status_code == 403, response.content
    ticket.refresh_from_db()
    assert ticket.level == Ticket.Level.L2 and _escalation_events(ticket) == before


@pytest.mark.django_db
@pytest.mark.attack("access", "issue8-5")
def test_a_level_1_agent_cannot_deescalate_from_the_desk(escalated):  # type: ignore[no-untyped-def]
    ticket, junior, _team = escalated
    before = _escalation_events(ticket)
    desk = Client(**EN)
    desk.force_login(junior)
    assert (
        'data-testid="deescalate-form"' not in desk.get(f"/desk/tickets/{ticket.reference}/").content.decode()
    )
    response = desk.post(f"/desk/tickets/{ticket.reference}/deescalate/", {"reason": "I can do it"})
    assert response.status_code == 403
    ticket.refresh_from_db()
    assert ticket.level == Ticket.Level.L2 and _escalation_events(ticket) == before


@pytest.mark.django_db
@pytest.mark.attack("access", "issue8-5")
def test_level_2_and_supervisors_deescalate(escalated, make_ticket):  # type: ignore[no-untyped-def]
    ticket, junior, level_2 = escalated
    specialist = AgentFactory(teams=[level_2], level=2)
    api = Client(headers={"Authorization": f"Bearer {api_token_create(user=specialist)}"})
    response = api.post(
        f"/api/v1/tickets/{ticket.reference}/deescalate",
        {"reason": "L1 can finish"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    ticket.refresh_from_db()
    assert ticket.level == Ticket.Level.L1

    other = make_ticket()
    ticket_escalate(actor=junior, ticket_id=other.pk, reason="Panne", summary="Voir note.", team=level_2)
    supervisor = AgentFactory(is_supervisor=True, level=1)
    desk = Client(**EN)
    desk.force_login(supervisor)
    assert 'data-testid="deescalate-form"' in desk.get(f"/desk/tickets/{other.reference}/").content.decode()
    response = desk.post(f"/desk/tickets/{other.reference}/deescalate/", {"reason": "Back to the front line"})
    assert response.status_code == 302
    other.refresh_from_db()
    assert other.level == Ticket.Level.L1
