from __future__ import annotations

import pytest

from comptoir.desk.views.queue import QUEUE_PAGE_SIZE
from comptoir.tickets.services import ticket_update

from ..factories import AgentFactory, TeamFactory

pytestmark = pytest.mark.django_db


def test_queue_shows_team_open_tickets_most_urgent_first(desk_client, make_ticket, agent, team):
    other_team = TeamFactory(name="Autre")
    low = make_ticket(subject="Basse priorité")
    urgent = make_ticket(subject="Fils tombés rue King")
    elsewhere = make_ticket(subject="Pas pour nous")
    done = make_ticket(subject="Déjà résolu")
    ticket_update(ticket_id=low.pk, actor=agent, version=low.version, team=team, priority="P4")
    ticket_update(ticket_id=urgent.pk, actor=agent, version=urgent.version, team=team, priority="P1")
    ticket_update(ticket_id=elsewhere.pk, actor=agent, version=elsewhere.version, team=other_team)
    ticket_update(ticket_id=done.pk, actor=agent, version=done.version, team=team, status="resolved")
    # The first page is now the agent's own work (issue 10); the team's queue is a view of it.
    page = desk_client.get("/desk/?view=team").content.decode()
    assert page.index(urgent.reference) < page.index(low.reference)
    assert elsewhere.reference not in page and done.reference not in page
    assert elsewhere.reference in desk_client.get("/desk/?view=open").content.decode()
    assert elsewhere.reference in desk_client.get("/desk/?scope=all").content.decode()  # old links


def test_queue_paginates_with_cursor(desk_client, make_ticket, agent, team):
    refs = []
    size = QUEUE_PAGE_SIZE
    for i in range(size + 5):
        t = make_ticket(subject=f"Demande {i}")
        ticket_update(ticket_id=t.pk, actor=agent, version=t.version, team=team)
        refs.append(t.reference)
    first = desk_client.get("/desk/", {"view": "team"}).context["page"]
    assert len(first.items) == size and first.next_cursor
    second = desk_client.get("/desk/", {"view": "team", "cursor": first.next_cursor}, HTTP_HX_REQUEST="true")
    html = second.content.decode()
    assert "<html" not in html  # htmx gets only the rows partial
    assert [r for r in refs if r in html] == refs[size:]


def test_ticket_page_shows_conversation_history_customer_and_other_tickets(desk_client, make_ticket):
    first = make_ticket(email="francois@example.test", subject="Ancienne demande")
    ticket = make_ticket(email="francois@example.test", subject="Nouvelle demande")
    page = desk_client.get(f"/desk/tickets/{ticket.reference}/").content.decode()
    assert "francois@example.test" in page
    assert first.reference in page
    assert "Bonjour, ma facture est fausse." in page
    assert 'data-testid="history"' in page


def test_reply_and_internal_note_with_configuration_items(
    desk_client, make_ticket, django_capture_on_commit_callbacks, mailoutbox
):  # noqa: E501
    ticket = make_ticket(email="helene@example.test")
    mailoutbox.clear()
    url = f"/desk/tickets/{ticket.reference}/messages/"
    with django_capture_on_commit_callbacks(execute=True):
        desk_client.post(
            url,
            {
                "body": "Note: compteur 42 défectueux",
                "internal": "on",
                "configuration_items": "compteur-42, poste-Nord",
            },
        )  # noqa: E501
        desk_client.post(url, {"body": "Un technicien passera demain."})
    assert [m.body.splitlines()[0] for m in mailoutbox] == ["Un technicien passera demain."]
    note = ticket.messages.get(kind="internal")
    assert sorted(note.configuration_items.values_list("name", flat=True)) == ["compteur-42", "poste-Nord"]
    ticket.refresh_from_db()
    assert ticket.status == "open" and ticket.first_response_at is not None


def test_second_editor_gets_conflict_and_first_change_is_kept(make_ticket, client, team):
    ticket = make_ticket()
    alice, bob = AgentFactory(teams=[team]), AgentFactory(teams=[team])
    url = f"/desk/tickets/{ticket.reference}/change/"
    base = {"version": ticket.version, "status": "open", "priority": "P3", "team": team.pk}
    client.force_login(alice)
    assert client.post(url, {**base, "priority": "P1"}).status_code == 302
    client.force_login(bob)
    response = client.post(url, {**base, "status": "resolved"})
    assert response.status_code == 409
    assert "changed by someone else" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.priority == "P1" and ticket.status == "open"


def test_login_page_and_login(client, agent):
    assert client.get("/desk/").status_code == 302
    response = client.post("/desk/login/", {"username": agent.email, "password": "agent-password-1"})
    assert response.status_code == 302
    assert client.get("/desk/").status_code == 200


def test_queue_of_an_agent_in_two_teams_merges_both_in_urgency_order(client, make_ticket):
    alpha, beta = TeamFactory(name="Alpha"), TeamFactory(name="Beta")
    agent = AgentFactory(teams=[alpha, beta])
    made = []
    for i, (team, priority) in enumerate(
        [(alpha, "P3"), (beta, "P1"), (alpha, "P2"), (beta, "P4"), (alpha, "P1")]
    ):
        t = make_ticket(subject=f"Demande {i}")
        ticket_update(ticket_id=t.pk, actor=agent, version=t.version, team=team, priority=priority)
        made.append((priority, t.pk, t.reference))
    client.force_login(agent)
    from comptoir.tickets.selectors import ticket_queue

    first = ticket_queue(actor=agent, team_ids=[alpha.pk, beta.pk], limit=3)
    rest = ticket_queue(actor=agent, team_ids=[alpha.pk, beta.pk], limit=3, cursor=first.next_cursor)
    expected = [ref for _p, _pk, ref in sorted(made)]
    assert [t.reference for t in first.items + rest.items] == expected
    assert rest.next_cursor is None
