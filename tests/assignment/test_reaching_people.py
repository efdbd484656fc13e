"""Issue 8, dead ends found in a browser walk-through: what waits for someone reaches them.

An escalation "to a supervisor" tells the supervisors and shows on their desk; a junior's reply
held for approval tells the senior; emails held because nothing proves their sender, and tickets
flagged for review, are listed above the queue for the agents who must act on them.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client, TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from comptoir.outbox.models import Delivery
from comptoir.routing.models import Team
from comptoir.tickets.models import Message, Ticket
from comptoir.tickets.review import review_reason_codes
from comptoir.tickets.services import ticket_agent_message
from tests.email.test_sender_auth import SECRET, open_ticket, spoof, webhook
from tests.factories import AgentFactory, TeamFactory


def _desk(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def _waiting(client: Client) -> str:
    """The "Waiting for you" section of /desk/, in English ("" when the page shows none)."""
    html = client.get(reverse("desk:queue"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    start = html.find('data-testid="waiting"')
    return html[start : html.find("</section>", start)] if start >= 0 else ""


@pytest.mark.django_db
@pytest.mark.fault("issue8-11")
def test_escalation_to_a_supervisor_reaches_the_supervisor_and_keeps_the_warning(make_ticket, team):
    level2 = TeamFactory(name="Niveau 2", level=Team.Level.L2)
    team.escalation_team = level2
    team.save(update_fields=["escalation_team"])
    boss = AgentFactory(teams=[level2], is_supervisor=True, language="en", email="boss@comptoir.test")
    elsewhere = AgentFactory(
        teams=[TeamFactory(name="Autre")], is_supervisor=True, email="other@comptoir.test"
    )
    agent = AgentFactory(teams=[team])
    make_ticket(email="same@example.test")
    ticket = make_ticket(email="same@example.test", subject="Coupure rue des Lilas", unproven_identity=True)
    warning = ticket.review_reason
    assert warning, "intake flags a second request from the same address"

    with TestCase.captureOnCommitCallbacks(execute=True):
        response = _desk(agent).post(
            reverse("desk:ticket_escalate", kwargs={"reference": ticket.reference}),
            {"reason": "Client menace de partir", "summary": "Trois coupures ce mois.", "to_supervisor": "1"},
        )
    assert response.status_code == 302

    ticket.refresh_from_db()
    assert review_reason_codes(ticket.review_reason) == [*review_reason_codes(warning), "escalated"], (
        "the intake warning is kept"
    )
    assert "Client menace de partir" in ticket.review_reason
    alerts = Delivery.objects.filter(kind=Delivery.Kind.STAFF_ALERT, ticket_id=ticket.pk)
    assert [d.recipient for d in alerts] == ["boss@comptoir.test"], "the receiving team's supervisor"
    assert "supervisor" in alerts[0].subject and ticket.reference in alerts[0].subject
    assert "Client menace de partir" in alerts[0].body
    assert elsewhere.email not in {d.recipient for d in alerts}
    waiting = _waiting(_desk(boss))
    assert "Waiting for you" in waiting and ticket.reference in waiting
    assert f'href="/desk/tickets/{ticket.reference}/"' in waiting


@pytest.mark.django_db
@pytest.mark.fault("issue8-11")
def test_escalation_to_a_supervisor_without_team_supervisor_falls_back_to_all(make_ticket, team):
    level2 = TeamFactory(name="Niveau 2", level=Team.Level.L2)
    anywhere = AgentFactory(is_supervisor=True, language="en", email="anywhere@comptoir.test")
    agent = AgentFactory(teams=[team])
    ticket = make_ticket()
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = Client(headers={"Authorization": f"Bearer {_token(agent)}"}).post(
            f"/api/v1/tickets/{ticket.reference}/escalate",
            {"reason": "Litige", "summary": "Voir note.", "to_supervisor": True, "team": level2.name},
            content_type="application/json",
        )
    assert response.status_code == 200, response.content
    recipients = set(
        Delivery.objects.filter(kind=Delivery.Kind.STAFF_ALERT).values_list("recipient", flat=True)
    )
    assert recipients == {anywhere.email}


def _token(user) -> str:  # type: ignore[no-untyped-def]
    from comptoir.accounts.services import api_token_create

    return api_token_create(user=user)


@pytest.mark.django_db
@pytest.mark.fault("issue8-14")
def test_a_held_reply_tells_the_senior_and_waits_on_their_desk(make_ticket, team):
    senior = AgentFactory(teams=[team], level=2, language="en", email="senior@comptoir.test")
    junior = AgentFactory(teams=[team], mentor=senior)
    colleague = AgentFactory(teams=[team])
    ticket = make_ticket(subject="Panne générale")
    Ticket.objects.filter(pk=ticket.pk).update(priority="P1")
    ticket.refresh_from_db()
    with TestCase.captureOnCommitCallbacks(execute=True):
        message = ticket_agent_message(ticket=ticket, actor=junior, body="Voici la solution.", internal=False)
    assert message.held_for_id == senior.pk

    alert = Delivery.objects.get(kind=Delivery.Kind.STAFF_ALERT, recipient=senior.email)
    assert alert.idempotency_key == f"reply-held:{message.pk}"
    assert "approval" in alert.subject and ticket.reference in alert.subject
    waiting = _waiting(_desk(senior))
    assert ticket.reference in waiting and "Reply waiting for your approval" in waiting
    assert ticket.reference not in _waiting(_desk(colleague)), "held for the senior, not for everyone"
    supervisor = AgentFactory(is_supervisor=True)
    assert ticket.reference in _waiting(_desk(supervisor)), "supervisors approve any held reply"

    # Approved, it leaves the list.
    with TestCase.captureOnCommitCallbacks(execute=True):
        _desk(senior).post(
            reverse("desk:message_approve", kwargs={"reference": ticket.reference, "message_id": message.pk})
        )
    assert Message.objects.get(pk=message.pk).held_for_id is None
    assert ticket.reference not in _waiting(_desk(senior))


@pytest.mark.django_db
@pytest.mark.attack("email", "issue8-3")
def test_an_unproven_email_is_listed_for_the_teams_agents(settings, team):
    settings.COMPTOIR_INBOUND_SECRET = SECRET
    ticket, mid = open_ticket()
    Ticket.objects.filter(pk=ticket.pk).update(team=team)
    webhook(spoof(ticket, mid))
    assert ticket.messages.filter(hold=Message.Hold.UNPROVEN).exists()
    agent = AgentFactory(teams=[team])
    outsider = AgentFactory(teams=[TeamFactory(name="Autre")])
    waiting = _waiting(_desk(agent))
    assert ticket.reference in waiting and "Email held: sender not proven" in waiting
    assert f'href="/desk/tickets/{ticket.reference}/"' in waiting
    assert ticket.reference not in _waiting(_desk(outsider))


@pytest.mark.django_db
def test_the_waiting_section_is_bounded_and_cheap(settings, make_ticket, team):
    """Many flagged tickets: the page lists 20, in a few queries and without counting rows."""
    for n in range(25):
        make_ticket(subject=f"Demande {n}", email="same@example.test", unproven_identity=True)
    assert Ticket.objects.exclude(review_reason="").count() >= 21
    supervisor = AgentFactory(teams=[team], is_supervisor=True)
    client = _desk(supervisor)
    client.get(reverse("desk:queue"))  # session and caches warm
    with CaptureQueriesContext(connection) as queries:
        html = client.get(reverse("desk:queue"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    start = html.find('data-testid="waiting"')
    assert html[start : html.find("</section>", start)].count('data-testid="waiting-row"') == 20
    # Not the config cache's once-a-second generation read (timing, not this page's cost).
    sqls = [q["sql"].upper() for q in queries.captured_queries if "common_configgeneration" not in q["sql"]]
    # 12, and since issue 10 the sidebar's two reads: the view counters (one sum) and saved views,
    # the escalations waiting on a level-2 team (one bounded read) and the bulk bar's macros.
    assert len(sqls) <= 16, sqls
    assert sum('"MACROS_MACRO"' in s for s in sqls) <= 1
    # No count of tickets per page view; the bell (issue 10) counts the agent's own unread
    # notifications, on a partial index of that agent's unread rows only.
    counts = [s for s in sqls if "COUNT(" in s]
    assert len(counts) <= 1 and all('"NOTIFICATIONS_NOTIFICATION"' in s for s in counts), counts


@pytest.mark.django_db
@pytest.mark.fault("issue9-walk")
def test_a_supervisor_marks_an_escalated_ticket_reviewed_and_it_leaves_waiting_for_you(make_ticket, team):
    """The walk of issue 9 found the flag of an escalation to a supervisor could never be
    cleared: the ticket stayed in "Waiting for you" after being handled."""
    boss = AgentFactory(teams=[team], is_supervisor=True, language="en")
    agent = AgentFactory(teams=[team])
    ticket = make_ticket(subject="Remboursement au-dessus de ma limite")
    url = reverse("desk:ticket_escalate", kwargs={"reference": ticket.reference})
    _desk(agent).post(
        url, {"reason": "Au-dessus de ma limite", "summary": "Voir facture.", "to_supervisor": "1"}
    )
    ticket.refresh_from_db()
    assert ticket.review_reason and ticket.reference in _waiting(_desk(boss))

    page = _desk(agent).get(reverse("desk:ticket", kwargs={"reference": ticket.reference}))
    assert b'data-testid="reviewed"' not in page.content  # a level-1 agent is not offered it
    reviewed = reverse("desk:ticket_reviewed", kwargs={"reference": ticket.reference})
    assert _desk(agent).post(reviewed).status_code == 403
    ticket.refresh_from_db()
    assert ticket.review_reason

    boss_desk = _desk(boss)
    page = boss_desk.get(
        reverse("desk:ticket", kwargs={"reference": ticket.reference}), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert b'data-testid="reviewed"' in page.content and b"Mark as reviewed" in page.content
    assert boss_desk.post(reviewed).status_code == 302
    ticket.refresh_from_db()
    assert ticket.review_reason == ""
    assert ticket.reference not in _waiting(boss_desk)
    event = ticket.events.filter(field="review_reason").order_by("-id").first()
    assert event.new == "" and "Au-dessus de ma limite" in event.old and event.actor == boss
    # Nothing left to clear: the action is no longer offered, and a replay is refused.
    page = boss_desk.get(reverse("desk:ticket", kwargs={"reference": ticket.reference}))
    assert b'data-testid="reviewed"' not in page.content
