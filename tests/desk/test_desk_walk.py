"""Fixes from a walk of issue 10 on the desk, each tried from the outside (HTTP, as a browser
without JavaScript would): the bulk bar's value fields, the header links and their 403s, dates
in the lists, a junior's held "send and resolve", and undoing "Accept the suggestions"."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from comptoir.tickets.models import BulkChange, Message, Ticket, TicketEvent
from comptoir.tickets.services import ticket_update
from comptoir.triage.models import TrainingExample, TriageDecision
from comptoir.triage.selectors import triage_queue
from tests.factories import AgentFactory, TeamFactory

pytestmark = pytest.mark.django_db


def _desk(user, language: str = "en") -> Client:  # type: ignore[no-untyped-def]
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def _flash(response) -> str:  # type: ignore[no-untyped-def]
    return " ".join(str(m) for m in response.context["messages"])


# --- 1. The bulk bar shows the value fields (no collapsed section) -------------------------------


def test_the_bulk_bar_shows_each_value_field_and_assign_to_works_without_javascript(make_ticket, agent):
    other = AgentFactory(teams=list(agent.teams.all()), email="colleague@comptoir.test")
    tickets = [make_ticket(), make_ticket()]
    client = _desk(agent)
    page = client.get("/desk/?scope=all").content.decode()
    bar = page.split('data-testid="bulk-bar"')[1].split("</form>")[0]
    assert "<details" not in bar  # nothing to open before the field shows
    for field in ("assign", "team", "status", "priority", "category", "body"):
        assert f'data-testid="bulk-field-{field}"' in bar
    # Without the script every field shows and none is hidden or disabled.
    assert not re.search(r"<(p|fieldset)[^>]*\bhidden\b", bar) and "disabled" not in bar
    assert 'src="/static/comptoir/bulk-bar.js"' in page
    assert re.search(r'data-bulk-for="assign"[^>]*>.*?name="assignee"', bar, re.S)
    response = client.post(
        "/desk/bulk/",
        {"ticket": [t.reference for t in tickets], "action": "assign", "assignee": other.email,
         "next": "/desk/?scope=all"},
        follow=True,
    )  # fmt: skip
    assert "2 tickets changed" in _flash(response)
    assert set(Ticket.objects.filter(pk__in=[t.pk for t in tickets]).values_list("assignee", flat=True)) == {
        other.pk
    }


# --- 2. Approvals and Inbound errors: shown to, and opened by, those allowed only ---------------


@pytest.mark.parametrize("language,denied", [("en", "Access denied"), ("fr", "Accès refusé")])
def test_an_agent_who_approves_nothing_sees_neither_link_and_gets_403(agent, language, denied):
    client = _desk(agent, language)
    page = client.get("/desk/").content.decode()
    assert 'data-testid="approvals-link"' not in page
    assert reverse("desk:inbound") not in page
    for url in (reverse("desk:approvals"), reverse("desk:inbound")):
        response = client.get(url)
        assert response.status_code == 403
        assert denied in response.content.decode()
    assert client.post(reverse("desk:inbound"), {"record": 1}).status_code == 403  # no replay either


def test_a_senior_with_a_junior_sees_approvals_and_a_supervisor_sees_both(team):
    senior = AgentFactory(teams=[team], level=2)
    AgentFactory(teams=[team], mentor=senior)
    page = _desk(senior).get("/desk/").content.decode()
    assert 'data-testid="approvals-link"' in page and reverse("desk:inbound") not in page
    assert _desk(senior).get(reverse("desk:approvals")).status_code == 200
    assert _desk(senior).get(reverse("desk:inbound")).status_code == 403

    boss = AgentFactory(teams=[team], is_supervisor=True)
    page = _desk(boss).get("/desk/").content.decode()
    assert 'data-testid="approvals-link"' in page and reverse("desk:inbound") in page
    assert _desk(boss).get(reverse("desk:approvals")).status_code == 200
    assert _desk(boss).get(reverse("desk:inbound")).status_code == 200


# --- 3. Dates in the lists: localized, with the machine form kept --------------------------------


@pytest.mark.parametrize("language", ["en", "fr"])
def test_list_dates_are_localized_with_an_iso_time_element(make_ticket, agent, language):
    ticket = make_ticket(subject="Facture de juin")
    page = _desk(agent, language).get("/desk/?scope=all").content.decode()
    local = timezone.localtime(ticket.created_at)
    with translation.override(language):
        shown = date_format(local, "SHORT_DATETIME_FORMAT")
    assert f'<time datetime="{local.isoformat()}" data-testid="received">{shown}</time>' in page
    assert local.strftime("%Y-%m-%d %H:%M") not in page  # the ISO form is gone from the text
    if language == "fr":
        assert local.strftime("%d/%m/%Y %H:%M") in page
    results = _desk(agent, language).get("/desk/search/", {"q": "facture"}).content.decode()
    assert 'data-testid="search-updated"' in results
    with translation.override(language):
        assert date_format(timezone.localtime(ticket.updated_at), "SHORT_DATETIME_FORMAT") in results


# --- 4. A junior's "send and resolve": the status waits with the reply, applied on approval -----


def test_a_juniors_send_and_resolve_is_applied_when_the_senior_approves(make_ticket, team, mailoutbox):
    senior = AgentFactory(teams=[team], level=2, name="Sénior Tremblay")
    junior = AgentFactory(teams=[team], mentor=senior, name="Junior Côté")
    boss = AgentFactory(teams=[team], is_supervisor=True)
    ticket = make_ticket()
    ticket = ticket_update(ticket_id=ticket.pk, actor=boss, version=ticket.version, priority="P1")
    ticket_url = reverse("desk:ticket", kwargs={"reference": ticket.reference})
    response = _desk(junior).post(
        reverse("desk:ticket_message", kwargs={"reference": ticket.reference}),
        {"body": "Le compteur est réparé.", "then": "resolved"},
        follow=True,
    )
    flash = _flash(response)
    assert "sent once" in flash and "applied once it is approved: Status: Resolved" in flash
    reply = Message.objects.get(ticket=ticket, kind="public")
    assert reply.held_for == senior and reply.held_changes == {"status": "resolved"}
    ticket.refresh_from_db()
    assert ticket.status != "resolved"
    page = _desk(junior).get(ticket_url).content.decode()
    waiting = page.split('data-testid="reply-waiting-changes">')[1].split("</span>")[0]
    assert "applied with it once approved: Status: Resolved" in waiting
    listing = _desk(senior).get(reverse("desk:approvals")).content.decode()
    assert "Approving also applies: Status: Resolved" in listing

    response = _desk(senior).post(
        reverse("desk:message_approve", kwargs={"reference": ticket.reference, "message_id": reply.pk})
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    reply.refresh_from_db()
    assert ticket.status == "resolved" and ticket.resolved_at is not None and not ticket.is_open
    assert reply.held_for_id is None and reply.held_changes == {}
    approved = TicketEvent.objects.get(ticket=ticket, field=TicketEvent.Kind.REPLY_APPROVED)
    resolved = TicketEvent.objects.get(ticket=ticket, field="status", new="resolved")
    assert approved.actor == senior and resolved.actor == junior and approved.pk < resolved.pk
    history = _desk(senior).get(ticket_url).content.decode()
    assert "Sénior Tremblay approved the reply of Junior Côté" in history


def test_a_juniors_macro_team_and_priority_wait_too(make_ticket, team):
    from comptoir.macros.services import MacroData, macro_create

    senior = AgentFactory(teams=[team], level=2)
    junior = AgentFactory(teams=[team], mentor=senior)
    boss = AgentFactory(teams=[team], is_supervisor=True)
    billing = TeamFactory(name="Facturation")
    macro = macro_create(
        actor=boss,
        data=MacroData(name="Vers la facturation", body_fr="Nous transmettons.", shared=True,
                       set_priority="P2", set_team=billing),
    )  # fmt: skip
    ticket = make_ticket()
    ticket = ticket_update(ticket_id=ticket.pk, actor=boss, version=ticket.version, priority="P1")
    _desk(junior).post(
        reverse("desk:ticket_message", kwargs={"reference": ticket.reference}),
        {"body": "Nous transmettons.", "macro": macro.pk},
    )
    reply = Message.objects.get(ticket=ticket, kind="public")
    assert reply.held_changes == {"priority": "P2", "team": billing.pk}
    team_before = ticket.team_id
    ticket.refresh_from_db()
    assert (ticket.priority, ticket.team_id) == ("P1", team_before)  # nothing yet
    _desk(senior).post(
        reverse("desk:message_approve", kwargs={"reference": ticket.reference, "message_id": reply.pk})
    )
    ticket.refresh_from_db()
    assert (ticket.priority, ticket.team_id) == ("P2", billing.pk)


# --- 5. Undo of "Accept the suggestions": the triage queue and the training data as before -------


def test_undo_of_accepting_triage_suggestions_restores_the_queue_and_withdraws_examples(
    make_ticket, agent, settings
):
    settings.COMPTOIR_TRIAGE_MIN_CONFIDENCE = 1.01  # nothing is sure enough: all to the queue
    billing = [
        make_ticket(body="Bonjour, ma facture est fausse, j'ai été facturé deux fois.") for _i in range(2)
    ]
    earlier = TrainingExample.objects.create(
        text="old", label="billing", source=TrainingExample.Source.IMPORT, ticket=billing[0]
    )
    queue_before = sorted(t.pk for t in triage_queue())
    assert queue_before == sorted(t.pk for t in billing)
    decisions_before = list(TriageDecision.objects.order_by("id").values())
    fields_before = list(Ticket.objects.filter(pk__in=queue_before).order_by("id").values("category", "team"))
    examples_before = set(TrainingExample.objects.values_list("pk", flat=True))
    client = _desk(agent)
    refs = [t.reference for t in billing]
    response = client.post(
        "/desk/bulk/", {"ticket": refs, "action": "accept_triage", "next": "/desk/triage/"}, follow=True
    )
    assert "2 tickets changed" in _flash(response)
    assert triage_queue() == []
    assert TrainingExample.objects.count() == len(examples_before) + 2  # the accept taught two

    bulk = BulkChange.objects.get(action="accept_triage")
    response = client.post(
        reverse("desk:bulk_undo", kwargs={"bulk_id": bulk.pk}), {"next": "/desk/triage/"}, follow=True
    )
    assert "2 tickets restored" in _flash(response)
    assert sorted(t.pk for t in triage_queue()) == queue_before
    assert list(TriageDecision.objects.order_by("id").values()) == decisions_before
    assert (
        list(Ticket.objects.filter(pk__in=queue_before).order_by("id").values("category", "team"))
        == fields_before
    )
    assert set(TrainingExample.objects.values_list("pk", flat=True)) == examples_before
    assert TrainingExample.objects.filter(pk=earlier.pk).exists()  # what was there before stays
    page = response.content.decode().split('data-testid="triage-queue"')[1]
    assert all(ref in page for ref in refs)  # back on the triage page
