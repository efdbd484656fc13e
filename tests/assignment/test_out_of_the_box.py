"""Issue 8, dead ends out of the box: on a fresh install every ticket reaches a team with its
clocks, an escalation lands in a level-2 team whose specialists get it next, categories are routed
from the desk and the admin, and the desk says what really happened to a junior's reply.

Agents are added with ``comptoir agent add`` and tickets arrive over the API, as a newcomer does.
"""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import translation

from comptoir.accounts.models import User
from comptoir.accounts.services import api_token_create
from comptoir.assignment.services import ticket_next
from comptoir.routing.models import Team
from comptoir.tickets.models import Category, Ticket, TicketEvent
from comptoir.triage.services import starter_categories_setup
from tests.factories import AgentFactory, TeamFactory

pytestmark = pytest.mark.django_db


def _agent_add(email: str, team: str, level: int) -> tuple[User, Client]:
    out = io.StringIO()
    call_command(
        "agent", "add", email, "--name", email.split("@")[0], "--team", team, "--level", str(level),
        "--token", stdout=out,
    )  # fmt: skip
    token = out.getvalue().strip().splitlines()[-1]
    return User.objects.get(email=email), Client(headers={"Authorization": f"Bearer {token}"})


def _write(api: Client, subject: str = "Facture", body: str = "Bonjour, ma facture est fausse.") -> str:
    response = api.post(
        "/api/v1/tickets",
        {"subject": subject, "channel": "api", "body": body, "customer": {"email": "client@example.org"}},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    return response.json()["reference"]


def _next(api: Client) -> str | None:
    response = api.post("/api/v1/queue/next", {}, content_type="application/json")
    assert response.status_code in (200, 204), response.content
    return response.json()["reference"] if response.status_code == 200 else None


@pytest.fixture
def fresh():
    """A fresh install: ``migrate`` (this test database), then two agents added by the command."""
    assert not Team.objects.exists()
    l1, l1_api = _agent_add("un@example.org", "Niveau 1", 1)
    l2, l2_api = _agent_add("deux@example.org", "Niveau 2", 2)
    return l1, l1_api, l2, l2_api


@pytest.mark.fault("issue8-10")
def test_a_fresh_install_routes_new_tickets_to_a_team_with_clocks(fresh):
    _l1, l1_api, _l2, _l2_api = fresh
    assert Team.objects.get(name="Niveau 1").is_default
    assert Team.objects.get(name="Niveau 2").level == 2  # the team takes its first agent's level
    reference = _write(l1_api)
    ticket = l1_api.get(f"/api/v1/tickets/{reference}").json()
    assert ticket["team"] == "Niveau 1"
    assert ticket["sla"]["first_response_due"]
    assert _next(l1_api) == reference


@pytest.mark.fault("issue8-11")
def test_an_escalation_lands_in_level_2_and_its_specialists_get_it_next(fresh):
    _l1, l1_api, l2, l2_api = fresh
    reference = _write(l1_api)
    assert _next(l2_api) is None  # a level-1 team's ticket: not the specialists' yet
    assert _next(l1_api) == reference
    response = l1_api.post(
        f"/api/v1/tickets/{reference}/escalate",
        {"reason": "spécialiste", "summary": "À vérifier."},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["team"] == "Niveau 2" and response.json()["level"] == 2
    ticket = Ticket.objects.get(reference=reference)
    assert TicketEvent.objects.filter(ticket=ticket, field="team", old="Niveau 1", new="Niveau 2").exists()
    desk = Client()
    desk.force_login(l2)
    # In the specialist's team queue (the desk's first page is their own tickets since issue 10).
    assert reference in desk.get("/desk/?view=team").content.decode()
    assert _next(l2_api) == reference


@pytest.mark.fault("issue8-11")
def test_sending_back_to_level_1_returns_the_ticket_to_the_team_it_came_from(fresh):
    _l1, l1_api, _l2, l2_api = fresh
    TeamFactory(name="Autre accueil")  # another level-1 team, not the one the ticket came from
    reference = _write(l1_api)
    assert _next(l1_api) == reference
    l1_api.post(
        f"/api/v1/tickets/{reference}/escalate",
        {"reason": "r", "summary": "s"},
        content_type="application/json",
    )
    assert _next(l2_api) == reference
    response = l2_api.post(
        f"/api/v1/tickets/{reference}/deescalate",
        {"reason": "Level 1 can finish"},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert (response.json()["team"], response.json()["level"]) == ("Niveau 1", 1)
    assert _next(l1_api) == reference


@pytest.mark.fault("issue8-11")
def test_the_level_1_team_chooses_where_its_escalations_go_and_the_desk_offers_it(make_ticket):
    l1_team = TeamFactory(name="Accueil")
    first, chosen = TeamFactory(name="A-Experts", level=2), TeamFactory(name="B-Réseau", level=2)
    agent = AgentFactory(teams=[l1_team])
    specialist = AgentFactory(teams=[chosen], level=2)
    l1_team.escalation_team = chosen
    l1_team.save()
    ticket = make_ticket()
    Ticket.objects.filter(pk=ticket.pk).update(team=l1_team)
    desk = Client()
    desk.force_login(agent)
    page = desk.get(f"/desk/tickets/{ticket.reference}/").content.decode()
    assert f'<option value="{chosen.pk}" selected>B-Réseau</option>' in page
    assert f'<option value="{first.pk}">A-Experts</option>' in page
    desk.post(f"/desk/tickets/{ticket.reference}/escalate/", {"reason": "Réseau", "summary": "Lien coupé."})
    ticket.refresh_from_db()
    assert ticket.team == chosen and ticket.level == 2
    assert ticket_next(agent=specialist) == ticket


def test_an_escalation_chosen_on_the_desk_or_the_api_goes_to_that_level_2_team(make_ticket):
    l1_team = TeamFactory(name="Accueil")
    TeamFactory(name="A-Experts", level=2)
    other = TeamFactory(name="B-Réseau", level=2)
    agent = AgentFactory(teams=[l1_team])
    desk = Client()
    desk.force_login(agent)
    ticket = make_ticket()
    Ticket.objects.filter(pk=ticket.pk).update(team=l1_team)
    desk.post(
        f"/desk/tickets/{ticket.reference}/escalate/",
        {"reason": "Réseau", "summary": "Lien coupé.", "team": str(other.pk)},
    )
    ticket.refresh_from_db()
    assert ticket.team == other and ticket.level == 2
    # Escalating to a level-1 team would strand the ticket again: refused.
    second = make_ticket()
    Ticket.objects.filter(pk=second.pk).update(team=l1_team)
    api = Client(headers={"Authorization": f"Bearer {api_token_create(user=agent)}"})
    response = api.post(
        f"/api/v1/tickets/{second.reference}/escalate",
        {"reason": "x", "summary": "y", "team": "Accueil"},
        content_type="application/json",
    )
    assert response.status_code == 422
    second.refresh_from_db()
    assert second.level == 1


@pytest.mark.fault("issue8-10")
def test_categories_are_routed_from_the_desk_by_supervisors(make_ticket, settings):
    settings.COMPTOIR_TRIAGE_MIN_CONFIDENCE = 0.0  # whatever the starter model says, it is sure
    default = TeamFactory(name="Accueil", is_default=True)
    billing = TeamFactory(name="Facturation")
    agent = AgentFactory(teams=[default])
    supervisor = AgentFactory(teams=[default], is_supervisor=True)
    starter_categories_setup()
    ticket = make_ticket()
    assert ticket.category is not None and ticket.team == default  # unrouted category: default team
    desk = Client()
    desk.force_login(agent)
    assert desk.get("/desk/categories/").status_code == 403
    desk.force_login(supervisor)
    with translation.override("en"):
        page = desk.get("/desk/categories/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'value="{ticket.category.pk}"' in page and "Facturation" in page
    response = desk.post("/desk/categories/", {"category": ticket.category.pk, "team": billing.pk})
    assert response.status_code == 302
    assert Category.objects.get(pk=ticket.category.pk).team == billing
    assert make_ticket().team == billing  # the same words, now routed
    assert desk.post("/desk/categories/", {"category": "99999999999999999999", "team": ""}).status_code == 302


def test_administrators_route_categories_and_move_the_default_team(admin_client):
    first = TeamFactory(name="Accueil", is_default=True)
    other = TeamFactory(name="Soir")
    Category.objects.all().delete()  # only this test's category: the admin list's first form is it
    category = Category.objects.create(slug="billing", name_en="Billing", name_fr="Facturation")
    page = admin_client.get("/admin/tickets/category/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'name="form-0-team"' in page  # the team is editable from the list
    response = admin_client.post(
        f"/admin/tickets/category/{category.pk}/change/",
        {"slug": "billing", "name_en": "Billing", "name_fr": "Facturation", "team": other.pk, "skill": ""},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Category.objects.get(pk=category.pk).team == other
    response = admin_client.post(
        f"/admin/routing/team/{other.pk}/change/",
        {"name": "Soir", "level": 1, "make_default": "on", "escalation_team": "", "auto_assign": ""},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert list(Team.objects.filter(is_default=True)) == [other]
    first.refresh_from_db()
    assert not first.is_default


@pytest.mark.fault("issue8-14")
def test_a_juniors_held_reply_says_it_waits_for_approval(make_ticket, team):
    senior = AgentFactory(teams=[team], level=2, name="Nora Senior")
    junior = AgentFactory(teams=[team], mentor=senior)
    ticket = make_ticket()
    Ticket.objects.filter(pk=ticket.pk).update(priority="P2")
    desk = Client()
    desk.force_login(junior)
    response = desk.post(
        f"/desk/tickets/{ticket.reference}/messages/",
        {"body": "Voici la solution."},
        HTTP_ACCEPT_LANGUAGE="en",
        follow=True,
    )
    flash = [str(m) for m in response.context["messages"]]
    assert flash == ["Reply saved; it is sent once Nora Senior approves it."]
    response = desk.post(
        f"/desk/tickets/{make_ticket().reference}/messages/",
        {"body": "Ok"},
        HTTP_ACCEPT_LANGUAGE="en",
        follow=True,
    )
    assert [str(m) for m in response.context["messages"]] == ["Reply sent."]  # P3: it went out


@pytest.mark.fault("issue8-14")
def test_the_triage_queue_shows_category_names(make_ticket, agent, settings):
    settings.COMPTOIR_TRIAGE_MIN_CONFIDENCE = 1.01  # nothing is sure enough: all to the queue
    starter_categories_setup()
    ticket = make_ticket()
    label = ticket.triage.label
    Category.objects.filter(slug=label).update(name_en="Money matters", name_fr="Questions d'argent")
    desk = Client()
    desk.force_login(agent)
    page = desk.get("/desk/triage/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-testid="best-guess">Money matters</td>' in page
    api = Client(headers={"Authorization": f"Bearer {api_token_create(user=agent)}"})
    items = api.get("/api/v1/triage/queue", HTTP_ACCEPT_LANGUAGE="fr").json()
    assert [(i["predicted"], i["predicted_name"]) for i in items] == [(label, "Questions d'argent")]


@pytest.mark.fault("issue8-12")
def test_a_refused_next_ticket_is_flashed_as_an_error(team):
    agent = AgentFactory(teams=[team], capacity=0)
    desk = Client()
    desk.force_login(agent)
    page = desk.post("/desk/next/", HTTP_ACCEPT_LANGUAGE="en", follow=True).content.decode()
    assert '<li class="error">You already hold 0 open tickets, your capacity.' in page


def test_triage_setup_says_which_team_receives_each_category():
    TeamFactory(name="Accueil", is_default=True)
    billing = TeamFactory(name="Facturation")
    call_command("triage", "setup", stdout=io.StringIO())
    Category.objects.filter(slug="billing").update(team=billing)
    out = io.StringIO()
    call_command("triage", "setup", stdout=out)
    assert "  billing -> Facturation\n" in out.getvalue()
    assert "  outage -> Accueil (default team)\n" in out.getvalue()
    assert "/desk/categories/" in out.getvalue()


def test_a_fresh_install_whose_first_agent_is_level_2_still_routes_new_tickets():
    """The first agent added is a level-2 supervisor: their team takes new tickets until a
    level-1 team exists, which then takes the default over."""
    _boss, boss_api = _agent_add("cheffe@example.org", "Spécialistes", 2)
    assert Team.objects.get(name="Spécialistes").is_default
    reference = _write(boss_api)
    assert boss_api.get(f"/api/v1/tickets/{reference}").json()["team"] == "Spécialistes"
    _agent_add("un@example.org", "Accueil", 1)
    assert [t.name for t in Team.objects.filter(is_default=True)] == ["Accueil"]
    later = _write(boss_api, subject="Compteur", body="Mon compteur affiche une erreur.")
    assert boss_api.get(f"/api/v1/tickets/{later}").json()["team"] == "Accueil"
    _agent_add("deux@example.org", "Niveau 2 bis", 2)  # a later level-2 team takes nothing over
    assert [t.name for t in Team.objects.filter(is_default=True)] == ["Accueil"]
