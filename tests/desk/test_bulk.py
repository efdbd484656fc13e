"""Bulk actions from the desk's lists, their undo, and accepting triage guesses in bulk."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from comptoir.outbox.models import Delivery
from comptoir.tickets.models import BulkChange, Message, Ticket, TicketEvent
from comptoir.tickets.services import ticket_update
from comptoir.triage.selectors import triage_queue

from ..factories import AgentFactory, TeamFactory

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def _flash(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


def _bulk(client: Client, refs, action: str, **values):
    data = {"ticket": list(refs), "action": action, "next": "/desk/triage/", **values}
    return client.post("/desk/bulk/", data, follow=True)


def test_the_bar_is_on_the_triage_page_and_posts_to_the_bulk_url(desk_client):
    page = desk_client.get("/desk/triage/").content.decode()
    assert 'id="bulk-form"' in page and 'action="/desk/bulk/"' in page
    assert 'value="accept_triage"' in page


def test_bulk_with_mixed_permissions_reports_each_refusal(make_ticket, agent):
    """A level-1 agent may change tickets but not choose who holds them: assigning to themselves
    is refused per ticket (and said), a ticket already theirs is left as it is, an unknown
    reference is reported; setting a priority on the same tickets goes through."""
    junior = AgentFactory(can_pick=False)
    mine, other = make_ticket(), make_ticket()
    ticket_update(ticket_id=mine.pk, actor=agent, version=mine.version, assignee=junior)
    client = _client(junior)
    response = _bulk(client, [mine.reference, other.reference, "CPT-999999"], "assign_me")
    text = _flash(response)
    assert "0 tickets changed, 1 already so, 2 refused" in text
    assert f"{other.reference} (You may not choose assignees; use Next ticket.)" in text
    assert "CPT-999999 (No such ticket.)" in text
    assert Ticket.objects.get(pk=other.pk).assignee_id is None
    response = _bulk(client, [mine.reference, other.reference], "priority", priority="P2")
    assert "2 tickets changed." in _flash(response)
    assert set(Ticket.objects.filter(pk__in=[mine.pk, other.pk]).values_list("priority", flat=True)) == {"P2"}
    # Each change is in the ticket's own history, by the agent who made it.
    assert TicketEvent.objects.filter(ticket=other, field="priority", actor=junior, new="P2").exists()


def test_customers_and_anonymous_visitors_cannot_bulk(make_ticket):
    ticket = make_ticket()
    assert Client().post("/desk/bulk/", {"ticket": ticket.reference, "action": "close"}).status_code == 302
    customer_user = AgentFactory(is_agent=False, is_staff=False)
    response = _client(customer_user).post("/desk/bulk/", {"ticket": ticket.reference, "action": "close"})
    assert response.status_code == 404
    assert Ticket.objects.get(pk=ticket.pk).status != "closed"


def test_bulk_is_bounded(desk_client):
    response = _bulk(desk_client, [f"CPT-{n:06d}" for n in range(101)], "close")
    assert "Select at most 100 tickets at a time." in _flash(response)
    assert not BulkChange.objects.exists()


def test_bulk_undo_restores_and_refuses_tickets_changed_since(make_ticket, agent):
    team, other_team = TeamFactory(name="Facturation"), TeamFactory(name="Terrain")
    client = _client(agent)
    tickets = [make_ticket() for _i in range(3)]
    refs = [t.reference for t in tickets]
    response = _bulk(client, refs, "team", team=str(team.pk))
    assert "3 tickets changed." in _flash(response)
    page = response.content.decode()
    assert 'data-testid="bulk-undo"' in page  # the Undo button comes with the result
    # Somebody changes the second ticket afterwards: undo must not overwrite that.
    someone = AgentFactory(can_pick=True)
    later = Ticket.objects.get(pk=tickets[1].pk)
    ticket_update(ticket_id=later.pk, actor=someone, version=later.version, team=other_team)
    bulk = BulkChange.objects.get()
    response = client.post(f"/desk/bulk/{bulk.pk}/undo/", {"next": "/desk/triage/"}, follow=True)
    text = _flash(response)
    assert "2 tickets restored, 1 refused" in text and f"{refs[1]} (Changed since by someone else" in text
    teams = dict(Ticket.objects.filter(pk__in=[t.pk for t in tickets]).values_list("reference", "team_id"))
    assert teams == {refs[0]: tickets[0].team_id, refs[1]: other_team.pk, refs[2]: tickets[2].team_id}
    assert TicketEvent.objects.filter(ticket=tickets[0], field="undone", actor=agent).exists()
    history = client.get(f"/desk/tickets/{refs[0]}/").content.decode()
    assert "undid a bulk change on this ticket." in history
    # Once only, by its author only, and not after the window.
    again = client.post(f"/desk/bulk/{bulk.pk}/undo/", follow=True)
    assert "This change was already undone." in _flash(again)
    response = _bulk(client, refs[:1], "priority", priority="P1")
    second = BulkChange.objects.latest("id")
    assert _client(someone).post(f"/desk/bulk/{second.pk}/undo/", follow=True).status_code == 200
    assert Ticket.objects.get(pk=tickets[0].pk).priority == "P1"
    BulkChange.objects.filter(pk=second.pk).update(created_at=timezone.now() - timedelta(minutes=11))
    assert "too old to undo" in _flash(client.post(f"/desk/bulk/{second.pk}/undo/", follow=True))
    assert Ticket.objects.get(pk=tickets[0].pk).priority == "P1"


def test_bulk_close_status_category_and_unassign(make_ticket, agent):
    client = _client(agent)
    a, b = make_ticket(), make_ticket()
    refs = [a.reference, b.reference]
    assert "2 tickets changed." in _flash(_bulk(client, refs, "assign", assignee=agent.email))
    assert set(Ticket.objects.filter(pk__in=[a.pk, b.pk]).values_list("assignee_id", flat=True)) == {agent.pk}
    assert "2 tickets changed." in _flash(_bulk(client, refs, "unassign"))
    assert "2 tickets changed." in _flash(_bulk(client, refs, "category", category="meter"))
    assert "2 tickets changed." in _flash(_bulk(client, refs, "status", status="waiting_customer"))
    assert "Choose the value to set." in _flash(_bulk(client, refs, "status"))
    assert "Choose an agent" in _flash(_bulk(client, refs, "assign", assignee="nobody@example.test"))
    assert "2 tickets changed." in _flash(_bulk(client, refs, "close"))
    closed = Ticket.objects.filter(pk__in=[a.pk, b.pk])
    assert {(t.status, t.is_open, t.category.slug) for t in closed} == {("closed", False, "meter")}


def test_bulk_reply_to_each_with_placeholders_lands_once(make_ticket, agent):
    client = _client(agent)
    a, b = make_ticket(email="a@example.test"), make_ticket(email="b@example.test")
    data = {"body": "Hello {{customer_name}}, about {{ reference }}: fixed.", "submission": "f" * 32}
    response = _bulk(client, [a.reference, b.reference], "reply", **data)
    assert "2 tickets changed." in _flash(response)
    _bulk(client, [a.reference, b.reference], "reply", **data)  # the same form sent twice
    for ticket, email in ((a, "a@example.test"), (b, "b@example.test")):
        replies = Message.objects.filter(ticket=ticket, kind="public")
        assert [m.body for m in replies] == [f"Hello Élodie Tremblay, about {ticket.reference}: fixed."]
        assert Delivery.objects.filter(kind="reply", recipient=email).count() == 1
    _bulk(client, [a.reference], "note", body="Checked with billing.", submission="e" * 32)
    assert Message.objects.get(ticket=a, kind="internal").body == "Checked with billing."
    assert not BulkChange.objects.exists()  # a reply cannot be taken back: nothing to undo
    assert "Write the text to send." in _flash(_bulk(client, [a.reference], "note", body=" "))


def test_accept_the_triage_suggestions_in_bulk(make_ticket, agent, settings):
    settings.COMPTOIR_TRIAGE_MIN_CONFIDENCE = 1.01  # nothing is sure enough: all to the queue
    billing = [
        make_ticket(body="Bonjour, ma facture est fausse, j'ai été facturé deux fois.") for _i in range(2)
    ]
    gibberish = make_ticket(subject="", body="asdf", language="en")
    assert {t.pk for t in triage_queue()} == {billing[0].pk, billing[1].pk, gibberish.pk}
    client = _client(agent)
    page = client.get("/desk/triage/").content.decode()
    assert page.count('name="ticket"') == 3 and 'form="bulk-form"' in page
    refs = [t.reference for t in (*billing, gibberish)]
    response = _bulk(client, refs, "accept_triage")
    text = _flash(response)
    assert "2 tickets changed, 1 refused" in text
    assert f"{gibberish.reference} (Triage made no guess with a category to accept.)" in text
    assert {t.category.slug for t in Ticket.objects.filter(pk__in=[t.pk for t in billing])} == {"billing"}
    assert [t.pk for t in triage_queue()] == [gibberish.pk]  # accepted ones left the queue
    assert billing[0].reference not in response.content.decode().split('data-testid="triage-queue"')[1]


def test_bulk_reply_with_a_macro_in_each_tickets_language(make_ticket, agent):
    """Issue 10: one placeholder engine (the macros'); each customer reads the macro's text in
    their ticket's language; another agent's personal macro cannot be used."""
    from comptoir.macros.services import MacroData, macro_create

    mine = macro_create(
        actor=agent,
        data=MacroData(
            name="Merci", body_fr="Bonjour {{customer_name}}, {{reference}} est réglé.",
            body_en="Hello {{customer_name}}, {{reference}} is fixed.",
        ),
    )  # fmt: skip
    others = macro_create(actor=AgentFactory(), data=MacroData(name="Secret", body_fr="Privé"))
    client = _client(agent)
    page = client.get("/desk/").content.decode()
    assert 'data-testid="bulk-macro"' in page and f'<option value="{mine.pk}">Merci</option>' in page
    assert "Secret" not in page
    fr = make_ticket(email="fr@example.test", language="fr", name="{{agent_name}}")
    en = make_ticket(
        email="en@example.test", language="en", name="Ann Lee", subject="Wrong bill",
        body="Hello, my bill is wrong and I was charged twice this month.",
    )  # fmt: skip
    assert Ticket.objects.get(pk=en.pk).language == "en"
    response = _bulk(client, [fr.reference, en.reference], "reply", macro=str(mine.pk), submission="a" * 32)
    assert "2 tickets changed." in _flash(response)
    assert Message.objects.get(ticket=fr, kind="public").body == (
        f"Bonjour {{{{agent_name}}}}, {fr.reference} est réglé."  # a value is never read again
    )
    assert Message.objects.get(ticket=en, kind="public").body == f"Hello Ann Lee, {en.reference} is fixed."
    refused = _bulk(client, [fr.reference], "reply", macro=str(others.pk), submission="b" * 32)
    assert "No such macro." in _flash(refused)
    assert "No such macro." in _flash(_bulk(client, [fr.reference], "reply", macro="x", submission="c" * 32))
    assert Message.objects.filter(ticket=fr, kind="public").count() == 1


def test_bulk_free_text_hostile_placeholders(make_ticket, agent):
    client = _client(agent)
    ticket = make_ticket(email="h@example.test", subject="{{reference}} {% debug %}")
    bad = _bulk(client, [ticket.reference], "reply", body="Hi {{settings.SECRET_KEY}} {{secret}}")
    assert "Unknown placeholder" in _flash(bad)
    assert not Message.objects.filter(ticket=ticket, kind="public").exists()
    body = "About {{subject}}: {% debug %} {{ customer_name.__class__ }} {customer}"
    _bulk(client, [ticket.reference], "reply", body=body, submission="d" * 32)
    sent = Message.objects.get(ticket=ticket, kind="public").body
    # The subject is inserted once, never read for placeholders; tags and attributes stay text.
    assert sent == "About {{reference}} {% debug %}: {% debug %} {{ customer_name.__class__ }} {customer}"
