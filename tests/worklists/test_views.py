"""The desk's work lists from the outside: each view's tickets and count, filters combined and kept
in the URL, saved views, the ticket page's previous/next, permissions."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from comptoir.accounts.models import User
from comptoir.tickets.models import Ticket
from comptoir.tickets.selectors import ticket_visible_to
from comptoir.tickets.services import ticket_update
from comptoir.worklists.models import SavedView

from ..factories import AgentFactory, TeamFactory

pytestmark = pytest.mark.django_db


def _set(ticket: Ticket, actor: User, **fields) -> Ticket:  # type: ignore[no-untyped-def]
    ticket.refresh_from_db()
    ticket_update(ticket_id=ticket.pk, actor=actor, version=ticket.version, **fields)
    ticket.refresh_from_db()
    return ticket


def _client(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def _refs(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [t.reference for t in response.context["page"].items]


@pytest.fixture
def desk(make_ticket, agent, team):  # type: ignore[no-untyped-def]
    """Two agents of one team, another team, and tickets in every situation."""
    colleague = AgentFactory(teams=[team], name="Béatrice Colleague")
    other_team = TeamFactory(name="Facturation")
    boss = AgentFactory(is_supervisor=True, name="Sam Supervisor")
    t = {}
    t["mine_urgent"] = _set(make_ticket(subject="Panne"), agent, team=team, assignee=agent, priority="P1")
    t["mine_low"] = _set(make_ticket(subject="Question"), agent, team=team, assignee=agent, priority="P4")
    t["mine_done"] = _set(make_ticket(subject="Réglé"), agent, team=team, assignee=agent, status="resolved")
    t["theirs"] = _set(make_ticket(subject="Collègue"), agent, team=team, assignee=colleague)
    t["unassigned"] = _set(make_ticket(subject="Personne", language="en"), agent, team=team, assignee=None)
    t["elsewhere"] = _set(make_ticket(subject="Ailleurs"), agent, team=other_team, assignee=None)
    return {"agent": agent, "colleague": colleague, "boss": boss, "team": team, "other": other_team, **t}


def test_first_page_is_my_own_work_with_counts_of_every_view(desk):
    client = _client(desk["agent"])
    response = client.get("/desk/")
    assert response.status_code == 200
    assert _refs(response) == [desk["mine_urgent"].reference, desk["mine_low"].reference]
    counts = response.context["counts"]
    assert counts["mine"] == 2
    assert counts["team"] == 4  # mine (2), the colleague's, the unassigned one
    assert counts["unassigned"] == 1
    assert counts["open"] == 5
    assert counts["recent"] == 6
    html = response.content.decode()
    assert 'data-testid="next-ticket"' in html and 'data-testid="views"' in html
    assert 'form="bulk-form"' in html and 'id="bulk-form"' in html


@pytest.mark.parametrize(
    ("view", "expected"),
    [
        ("team", ["mine_urgent", "mine_low", "theirs", "unassigned"]),
        ("unassigned", ["unassigned"]),
        ("open", ["mine_urgent", "mine_low", "theirs", "unassigned", "elsewhere"]),
    ],
)
def test_each_view_lists_its_tickets(desk, view, expected):
    refs = _refs(_client(desk["agent"]).get("/desk/", {"view": view}))
    assert sorted(refs) == sorted(desk[name].reference for name in expected)


def test_recently_updated_lists_every_ticket_latest_change_first(desk):
    _set(desk["mine_done"], desk["agent"], priority="P2")  # the latest change
    refs = _refs(_client(desk["agent"]).get("/desk/", {"view": "recent"}))
    assert refs[0] == desk["mine_done"].reference and len(refs) == 6


def test_waiting_on_me_lists_escalations_to_me(desk, make_ticket):
    from comptoir.assignment.services import ticket_escalate

    ticket = _set(make_ticket(subject="Escalade"), desk["agent"], team=desk["team"], assignee=desk["agent"])
    ticket_escalate(
        actor=desk["agent"], ticket_id=ticket.pk, reason="Client fâché", summary="Voir", to_supervisor=True
    )
    response = _client(desk["boss"]).get("/desk/", {"view": "waiting"})
    assert ticket.reference in response.content.decode()
    assert response.context["counts"]["waiting"] >= 1


def test_filters_combine_and_stay_in_the_url(desk, make_ticket):
    agent, team = desk["agent"], desk["team"]
    english = {"language": "en", "body": "Hello, my bill is wrong, please help me."}
    match = _set(make_ticket(subject="Match", **english), agent, team=team, priority="P2", status="open")
    _set(make_ticket(subject="Other prio", **english), agent, team=team, priority="P3", status="open")
    _set(make_ticket(subject="Other lang", language="fr"), agent, team=team, priority="P2", status="open")
    client = _client(agent)
    params = {"view": "open", "priority": "P2", "language": "en", "status": "open", "team": str(team.pk)}
    response = client.get("/desk/", params)
    assert _refs(response) == [match.reference]
    html = response.content.decode()
    assert response.context["bounded_count"] == (1, False)
    # Each row links to the ticket with the view's query; the filter form shows the filters.
    link = re.search(r'href="(/desk/tickets/' + match.reference + r'/\?from=[^"]+)"', html).group(1)
    assert "priority%3DP2" in link and "language%3Den" in link
    form = response.context["filter_form"]
    assert form.initial["priority"] == "P2" and form.initial["language"] == "en"
    # A value that is not a choice is ignored, never an error.
    assert client.get("/desk/", {"view": "open", "priority": "P9"}).status_code == 200


def test_sort_orders_and_more_tickets_keep_the_filters(desk, make_ticket, agent, team):
    made = [_set(make_ticket(subject=f"Lot {i}"), agent, team=team, priority="P3") for i in range(30)]
    client = _client(agent)
    newest = client.get("/desk/", {"view": "team", "priority": "P3", "sort": "newest"})
    refs = _refs(newest)
    assert refs == sorted(refs, reverse=True) and len(refs) == 25
    page = newest.context["page"]
    assert page.next_cursor
    html = newest.content.decode()
    more = re.search(r'hx-get="\?([^"]+)"', html).group(1).replace("&amp;", "&")
    assert "priority=P3" in more and "sort=newest" in more and "cursor=" in more
    rest = client.get("/desk/?" + more, HTTP_HX_REQUEST="true")
    assert rest.status_code == 200, rest.content
    expected = {t.reference for t in made}
    assert "<html" not in rest.content.decode()
    seen = set(refs) | set(re.findall(r"CPT-\d+", rest.content.decode()))
    assert {r for r in seen if r in expected} == expected
    oldest = _refs(client.get("/desk/", {"view": "open", "sort": "oldest"}))
    assert oldest == sorted(oldest)
    by_priority = client.get("/desk/", {"view": "open", "sort": "priority"}).context["page"].items
    assert [t.priority for t in by_priority] == sorted(t.priority for t in by_priority)


def test_sla_filters(desk):
    agent = desk["agent"]
    Ticket.objects.filter(pk=desk["mine_low"].pk).update(sla_breached=True)
    Ticket.objects.filter(pk=desk["mine_urgent"].pk).update(due_at=timezone.now() + timedelta(minutes=30))
    client = _client(agent)
    assert _refs(client.get("/desk/", {"view": "mine", "sla": "breached"})) == [desk["mine_low"].reference]
    assert _refs(client.get("/desk/", {"view": "mine", "sla": "due_soon"})) == [desk["mine_urgent"].reference]


def test_assignee_filter_by_email_me_and_none(desk):
    client = _client(desk["boss"])
    by_email = _refs(client.get("/desk/", {"view": "open", "assignee": desk["colleague"].email}))
    assert by_email == [desk["theirs"].reference]
    nobody = _refs(client.get("/desk/", {"view": "open", "assignee": "none"}))
    assert sorted(nobody) == sorted([desk["unassigned"].reference, desk["elsewhere"].reference])


def test_saved_views_personal_and_shared(desk):
    agent, colleague, boss = desk["agent"], desk["colleague"], desk["boss"]
    mine = _client(agent)
    response = mine.post("/desk/views/save/", {"name": "Mes P1", "query": "view=open&priority=P1&junk=1"})
    assert response.status_code == 302 and "priority=P1" in response["Location"]
    personal = SavedView.objects.get(name="Mes P1")
    assert personal.query == "view=open&priority=P1" and not personal.shared
    # An agent who does not supervise may not share.
    assert (
        mine.post("/desk/views/save/", {"name": "Partagée", "query": "view=open", "shared": "on"}).status_code
        == 403
    )
    _client(boss).post(
        "/desk/views/save/", {"name": "Urgences", "query": "view=open&priority=P1", "shared": "on"}
    )
    shared = SavedView.objects.get(name="Urgences")
    assert shared.shared
    other = _client(colleague).get("/desk/").content.decode()
    assert "Urgences" in other and "Mes P1" not in other
    own = mine.get("/desk/").content.decode()
    assert "Urgences" in own and "Mes P1" in own
    # Only its owner deletes a view.
    assert _client(colleague).post(f"/desk/views/{personal.pk}/delete/").status_code == 404
    assert mine.post(f"/desk/views/{shared.pk}/delete/").status_code == 404
    assert mine.post(f"/desk/views/{personal.pk}/delete/").status_code == 302
    assert not SavedView.objects.filter(pk=personal.pk).exists()
    assert mine.post("/desk/views/99999999999999999999999/delete/").status_code == 404


def test_ticket_page_offers_previous_and_next_of_the_view(desk):
    client = _client(desk["agent"])
    query = "view=mine"
    first, second = desk["mine_urgent"], desk["mine_low"]
    page = client.get(f"/desk/tickets/{first.reference}/", {"from": query})
    assert page.context["nav"]["next"] == second.reference and page.context["nav"]["prev"] is None
    html = page.content.decode()
    assert f"/desk/tickets/{second.reference}/?from=view%3Dmine" in html and 'data-shortcut="next"' in html
    back = client.get(f"/desk/tickets/{second.reference}/", {"from": query}).context["nav"]
    assert back["prev"] == first.reference and back["next"] is None
    assert client.get(f"/desk/tickets/{first.reference}/").context["nav"] is None


def test_agent_in_two_teams_sees_both_merged_in_order(make_ticket, agent, team):
    second = TeamFactory(name="Deuxième")
    agent.teams.add(second)
    made = [
        _set(make_ticket(subject=f"T{i}"), agent, team=team if i % 2 else second, priority=f"P{1 + i % 4}")
        for i in range(8)
    ]
    client = _client(agent)
    refs = _refs(client.get("/desk/", {"view": "team", "sort": "newest"}))
    assert refs == sorted((t.reference for t in made), reverse=True)
    nav = client.get(f"/desk/tickets/{refs[3]}/", {"from": "view=team&sort=newest"}).context["nav"]
    assert (nav["prev"], nav["next"]) == (refs[2], refs[4])


def test_lists_show_only_visible_tickets_and_customers_reach_nothing(desk):
    client = _client(desk["agent"])
    refs = _refs(client.get("/desk/", {"view": "recent"}))
    assert set(refs) <= set(ticket_visible_to(actor=desk["agent"]).values_list("reference", flat=True))
    outsider = User.objects.create_user(email="client@example.test", password="x-password-123")
    nobody = _client(outsider)
    for url in (
        "/desk/",
        "/desk/?view=open",
        "/desk/autocomplete/agents/?q=a",
        "/desk/autocomplete/customers/?q=el",
    ):
        assert nobody.get(url).status_code == 404
    assert nobody.post("/desk/views/save/", {"name": "x", "query": "view=open"}).status_code == 404
    anonymous = Client()
    assert anonymous.get("/desk/autocomplete/agents/?q=a").status_code == 302
    inactive = AgentFactory(is_active=False)
    assert Client().login(email=inactive.email, password="agent-password-1") is False


def test_odd_digits_and_garbage_in_the_url_are_ignored(desk):
    client = _client(desk["agent"])
    odd = ({"team": "²"}, {"level": "٣"}, {"team": "9" * 40}, {"view": "<script>"}, {"sort": "id;drop"})
    for params in odd:
        response = client.get("/desk/", params)
        assert response.status_code == 200
        assert "<script>" not in response.content.decode().split("</header>", 1)[-1]
    assert client.get("/desk/", {"view": "open", "cursor": "garbage"}).status_code == 400
