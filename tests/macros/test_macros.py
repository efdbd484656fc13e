"""Macros (issue 10): placeholders, who sees and manages which, actions applied with the reply."""

from __future__ import annotations

import html

import pytest
from django.test import Client

from comptoir.common.exceptions import PermissionDenied
from comptoir.macros.models import Macro
from comptoir.macros.placeholders import placeholders_render
from comptoir.macros.services import MacroData, macro_create
from comptoir.tickets.models import Message, TicketEvent
from comptoir.tickets.services import ticket_update
from comptoir.tickets.tracking import tracking_url

from ..factories import AgentFactory, TeamFactory

pytestmark = pytest.mark.django_db

FR = (
    "Bonjour {{customer_name}},\nVotre demande {{reference}} est suivie ici : {{tracking_link}}\n"
    "{{agent_name}}"
)
EN = (
    "Hello {{ customer_name }},\nYour request {{reference}} can be followed here: {{tracking_link}}\n"
    "{{agent_name}}"
)


def login(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


@pytest.fixture
def supervisor(team):
    return AgentFactory(teams=[team], is_supervisor=True, name="Alex Nguyen")


@pytest.fixture
def shared(supervisor):
    return macro_create(actor=supervisor, data=MacroData(name="Suivi", body_fr=FR, body_en=EN, shared=True))


def insert(client: Client, ticket, macro_id, headers=None, **extra):
    url = f"/desk/tickets/{ticket.reference}/macro/"
    return client.post(url, {"macro_pick": macro_id, **extra}, headers=headers)


def test_placeholders_are_filled_in_the_tickets_language(make_ticket, agent, shared):
    agent.name = "Camille Dubé"
    agent.save()
    fr = make_ticket(name="Élodie Tremblay", language="fr")
    en = make_ticket(name="John Smith", language="en", subject="Wrong bill", body="My bill is wrong.")
    client = login(agent)
    body_fr = insert(client, fr, shared.pk).context["message_form"].initial["body"]
    body_en = insert(client, en, shared.pk).context["message_form"].initial["body"]
    assert body_fr == (
        f"Bonjour Élodie Tremblay,\nVotre demande {fr.reference} est suivie ici : "
        f"{tracking_url(fr.tracking_uid)}\nCamille Dubé"
    )
    assert body_en == (
        f"Hello John Smith,\nYour request {en.reference} can be followed here: "
        f"{tracking_url(en.tracking_uid)}\nCamille Dubé"
    )


def test_insert_keeps_what_was_typed_and_htmx_gets_only_the_form(make_ticket, agent, shared):
    ticket = make_ticket()
    response = insert(login(agent), ticket, shared.pk, body="Déjà écrit.", headers={"HX-Request": "true"})
    page = response.content.decode()
    assert response.status_code == 200 and "<html" not in page
    assert 'id="reply-form"' in page and f'name="macro" value="{shared.pk}"' in page
    assert html.escape("Déjà écrit.\n\nBonjour Élodie Tremblay,") in page


@pytest.mark.attack("xss", "5")
def test_hostile_text_is_never_a_template_and_is_escaped(make_ticket, agent, supervisor):
    hostile = (
        "{% load static %}{% debug %} {{ customer_name.__class__ }} {{customer_name|safe}} "
        "<script>alert('macro')</script> {{customer_name}}"
    )
    macro = macro_create(actor=supervisor, data=MacroData(name="<b>x</b>", body_fr=hostile, shared=True))
    ticket = make_ticket(name="<img src=x onerror=alert(1)>{{agent_name}}")
    response = insert(login(agent), ticket, macro.pk)
    filled = response.context["message_form"].initial["body"]
    # Tags, filters and attribute access stay as written; a value is never read again for placeholders.
    assert filled == (
        "{% load static %}{% debug %} {{ customer_name.__class__ }} {{customer_name|safe}} "
        "<script>alert('macro')</script> <img src=x onerror=alert(1)>{{agent_name}}"
    )
    page = response.content.decode()
    assert "<script>alert(" not in page and "<img src=x" not in page and "<b>x</b>" not in page
    assert "&lt;script&gt;alert(" in page and "&lt;b&gt;x&lt;/b&gt;" in page


def test_render_substitutes_once_and_leaves_unknown_names(make_ticket, agent):
    ticket = make_ticket(name="{{reference}}")
    text = placeholders_render("{{customer_name}} {{nope}} {{ reference }}", ticket=ticket, actor=agent)
    assert text == f"{{{{reference}}}} {{{{nope}}}} {ticket.reference}"


def test_unknown_placeholder_is_refused_when_saved(agent):
    response = login(agent).post("/desk/macros/", {"name": "Typo", "body_fr": "Bonjour {{client}}"})
    assert response.status_code == 400
    assert "Unknown placeholder {{client}}" in response.content.decode()
    assert not Macro.objects.exists()


@pytest.mark.attack("access", "9")
def test_a_personal_macro_is_invisible_to_another_agent(make_ticket, agent, team):
    mine = login(agent)
    assert mine.post("/desk/macros/", {"name": "Ma réponse perso", "body_fr": "Merci !"}).status_code == 302
    macro = Macro.objects.get()
    assert macro.owner == agent and not macro.is_shared
    ticket = make_ticket()
    assert "Ma réponse perso" in mine.get(f"/desk/tickets/{ticket.reference}/").content.decode()
    other = login(AgentFactory(teams=[team]))
    assert "Ma réponse perso" not in other.get("/desk/macros/").content.decode()
    assert "Ma réponse perso" not in other.get(f"/desk/tickets/{ticket.reference}/").content.decode()
    assert insert(other, ticket, macro.pk).status_code == 404
    assert other.get(f"/desk/macros/{macro.pk}/").status_code == 404
    assert other.post(f"/desk/macros/{macro.pk}/delete/").status_code == 404
    # Named in a reply, it is refused and nothing is sent.
    sent = other.post(f"/desk/tickets/{ticket.reference}/messages/", {"body": "Bonjour", "macro": macro.pk})
    assert sent.status_code == 400 and "No such macro." in sent.content.decode()
    assert not Message.objects.filter(ticket=ticket, kind="public").exists()
    assert Macro.objects.filter(pk=macro.pk).exists()


def test_shared_macros_are_managed_by_supervisors_only(agent, supervisor, shared):
    client = login(agent)
    assert client.get(f"/desk/macros/{shared.pk}/").status_code == 403
    data = {"name": "Changé", "body_fr": "Autre texte"}
    assert client.post(f"/desk/macros/{shared.pk}/", data).status_code == 403
    assert client.post(f"/desk/macros/{shared.pk}/delete/").status_code == 403
    shared.refresh_from_db()
    assert shared.name == "Suivi"
    # An agent asking for a shared macro gets a personal one: the choice is not theirs.
    assert client.post("/desk/macros/", {"name": "Essai", "body_en": "Hi", "shared": "on"}).status_code == 302
    assert Macro.objects.get(name="Essai").owner == agent
    with pytest.raises(PermissionDenied):
        macro_create(actor=agent, data=MacroData(name="X", body_en="Hi", shared=True))
    boss = login(supervisor)
    assert boss.post(f"/desk/macros/{shared.pk}/", data).status_code == 302
    shared.refresh_from_db()
    assert (shared.name, shared.body_fr, shared.owner) == ("Changé", "Autre texte", None)
    assert (
        boss.post("/desk/macros/", {"name": "Pour tous", "body_en": "Hi", "shared": "on"}).status_code == 302
    )
    assert Macro.objects.get(name="Pour tous").is_shared
    assert boss.post(f"/desk/macros/{shared.pk}/delete/").status_code == 302
    assert not Macro.objects.filter(pk=shared.pk).exists()


def test_a_macro_sets_status_priority_and_team_with_the_reply(
    make_ticket, agent, supervisor, mailoutbox, django_capture_on_commit_callbacks
):
    billing = TeamFactory(name="Facturation")
    macro = macro_create(
        actor=supervisor,
        data=MacroData(name="Transfert", body_fr=FR, shared=True, set_status="waiting_customer",
                       set_priority="P2", set_team=billing),
    )  # fmt: skip
    ticket = make_ticket(email="elodie@example.test")
    mailoutbox.clear()
    client = login(agent)
    body = insert(client, ticket, macro.pk).context["message_form"].initial["body"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/desk/tickets/{ticket.reference}/messages/", {"body": body, "macro": macro.pk}
        )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert (ticket.status, ticket.priority, ticket.team) == ("waiting_customer", "P2", billing)
    reply = Message.objects.get(ticket=ticket, kind="public")
    assert reply.body.startswith("Bonjour Élodie Tremblay,") and reply.held_for_id is None
    assert [m.to for m in mailoutbox] == [["elodie@example.test"]]
    events = TicketEvent.objects.filter(ticket=ticket, actor=agent)
    assert {"status", "priority", "team"} <= set(events.values_list("field", flat=True))
    assert events.filter(field="status").last().new == "waiting_customer"


def test_a_juniors_macro_reply_is_held_and_the_status_waits(make_ticket, team, supervisor, mailoutbox):
    senior = AgentFactory(teams=[team], level=2)
    junior = AgentFactory(teams=[team], mentor=senior)
    billing = TeamFactory(name="Facturation")
    macro = macro_create(
        actor=supervisor,
        data=MacroData(name="Résolu", body_fr=FR, shared=True, set_status="resolved", set_team=billing),
    )
    ticket = make_ticket()
    ticket = ticket_update(ticket_id=ticket.pk, actor=supervisor, version=ticket.version, priority="P1")
    mailoutbox.clear()
    client = login(junior)
    response = client.post(
        f"/desk/tickets/{ticket.reference}/messages/",
        {"body": "Une équipe est en route.", "macro": macro.pk, "then": "resolved"},
        follow=True,
    )
    page = response.content.decode()
    assert "it is sent once" in page and "applied once it is approved" in page
    reply = Message.objects.get(ticket=ticket, kind="public")
    assert reply.held_for == senior
    assert reply.held_changes == {"status": "resolved", "team": billing.pk}  # they wait with it
    ticket.refresh_from_db()
    assert ticket.status != "resolved" and ticket.team != billing
    assert mailoutbox == []
