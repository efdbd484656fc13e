"""Issue 10, item 7: each notification reaches the right person, never the actor, never someone
who may not see the ticket; the email preference sends through the outbox."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone

from comptoir.notifications.models import Notification
from comptoir.outbox.models import Delivery
from comptoir.routing.models import Team
from comptoir.tickets.models import Ticket
from comptoir.tickets.services import ticket_agent_message, ticket_customer_reply, ticket_update
from comptoir.tickets.sla import sla_check
from tests.factories import AgentFactory, TeamFactory

pytestmark = pytest.mark.django_db


def _desk(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def _kinds(user) -> list[str]:  # type: ignore[no-untyped-def]
    return list(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


def test_customer_reply_reaches_the_assignee_only(make_ticket, team):
    holder = AgentFactory(teams=[team])
    other = AgentFactory(teams=[team])
    ticket = make_ticket()
    Ticket.objects.filter(pk=ticket.pk).update(assignee=holder)
    ticket.refresh_from_db()
    with TestCase.captureOnCommitCallbacks(execute=True):
        ticket_customer_reply(ticket=ticket, body="Toujours rien reçu.", channel="web")
    assert _kinds(holder) == ["customer_reply"]
    assert _kinds(other) == []
    n = Notification.objects.get(recipient=holder)
    assert n.ticket_id == ticket.pk and n.read_at is None


def test_assignment_reaches_the_new_assignee_not_the_actor(make_ticket, team, agent):
    target = AgentFactory(teams=[team])
    ticket = make_ticket()
    ticket.refresh_from_db()
    with TestCase.captureOnCommitCallbacks(execute=True):
        ticket_update(ticket_id=ticket.pk, actor=agent, version=ticket.version, assignee=target)
    assert _kinds(target) == ["assigned"]
    assert _kinds(agent) == []
    # Assigning oneself notifies nobody.
    ticket.refresh_from_db()
    with TestCase.captureOnCommitCallbacks(execute=True):
        ticket_update(ticket_id=ticket.pk, actor=agent, version=ticket.version, assignee=agent)
    assert _kinds(agent) == []


def test_escalation_reaches_the_level_2_team_not_the_actor_nor_a_non_agent(make_ticket, team):
    level2 = TeamFactory(name="Spécialistes", level=Team.Level.L2)
    specialist = AgentFactory(teams=[level2])
    former = AgentFactory(teams=[level2], is_agent=False)  # may not see tickets any more
    junior = AgentFactory(teams=[team, level2])  # also in the receiving team, but the actor
    ticket = make_ticket()
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = _desk(junior).post(
            reverse("desk:ticket_escalate", kwargs={"reference": ticket.reference}),
            {"reason": "Compteur défectueux", "summary": "Relevés incohérents.", "team": level2.pk},
        )
    assert response.status_code == 302
    assert _kinds(specialist) == ["escalated"]
    assert Notification.objects.get(recipient=specialist).detail == "Compteur défectueux"
    assert _kinds(former) == [] and _kinds(junior) == []


def test_escalation_to_a_supervisor_reaches_the_supervisors(make_ticket, team):
    boss = AgentFactory(teams=[team], is_supervisor=True)
    agent = AgentFactory(teams=[team])
    ticket = make_ticket()
    with TestCase.captureOnCommitCallbacks(execute=True):
        _desk(agent).post(
            reverse("desk:ticket_escalate", kwargs={"reference": ticket.reference}),
            {"reason": "Menace de plainte", "summary": "Client très mécontent.", "to_supervisor": "1"},
        )
    assert _kinds(boss) == ["escalated"]
    assert _kinds(agent) == []


def test_held_reply_reaches_the_senior(make_ticket, team):
    senior = AgentFactory(teams=[team], level=2)
    junior = AgentFactory(teams=[team], mentor=senior)
    ticket = make_ticket()
    Ticket.objects.filter(pk=ticket.pk).update(priority="P1")
    with TestCase.captureOnCommitCallbacks(execute=True):
        message = ticket_agent_message(
            ticket_id=ticket.pk, actor=junior, body="Nous envoyons une équipe.", internal=False
        )
    assert message.held_for_id == senior.pk
    assert _kinds(senior) == ["approval"]
    assert _kinds(junior) == []


def test_sla_breach_reaches_assignee_and_team_supervisor_who_may_see(make_ticket, team):
    holder = AgentFactory(teams=[team])
    boss = AgentFactory(teams=[team], is_supervisor=True)
    blind = AgentFactory(teams=[team], is_supervisor=True, is_agent=False)  # sees no ticket
    bystander = AgentFactory(teams=[team])
    ticket = make_ticket()
    Ticket.objects.filter(pk=ticket.pk).update(assignee=holder, team=team)
    ticket.refresh_from_db()
    assert ticket.sla_policy_id is not None
    with TestCase.captureOnCommitCallbacks(execute=True):
        sla_check(ticket_id=ticket.pk, now=ticket.due_at + timedelta(days=30))
    assert set(_kinds(holder)) == {"sla_breach"}
    assert set(_kinds(boss)) == {"sla_breach"}
    assert _kinds(blind) == [] and _kinds(bystander) == []
    # A second check fires nothing new, and notifies nobody twice.
    count = Notification.objects.count()
    with TestCase.captureOnCommitCallbacks(execute=True):
        sla_check(ticket_id=ticket.pk, now=ticket.due_at + timedelta(days=31))
    assert Notification.objects.count() == count


def test_sla_warning_on_an_unassigned_ticket_reaches_the_team(make_ticket, team):
    member = AgentFactory(teams=[team])
    ticket = make_ticket()
    Ticket.objects.filter(pk=ticket.pk).update(team=team, assignee=None)
    ticket.refresh_from_db()
    assert ticket.sla_warning_at is not None
    with TestCase.captureOnCommitCallbacks(execute=True):
        sla_check(ticket_id=ticket.pk, now=ticket.sla_warning_at + timedelta(seconds=1))
    assert _kinds(member) == ["sla_warning"]


def test_email_preference_sends_through_the_outbox(make_ticket, team, agent):
    target = AgentFactory(teams=[team], language="en", email="cible@comptoir.test")
    desk_only = AgentFactory(teams=[team], email="bureau@comptoir.test")
    response = _desk(target).post(
        reverse("desk:notification_settings"), {"assigned": "email", "approval": "desk"}
    )
    assert response.status_code == 302
    page = (
        _desk(target).get(reverse("desk:notification_settings"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    )
    assert 'value="email" selected' in page
    ticket = make_ticket()
    for who in (target, desk_only):
        ticket.refresh_from_db()
        with TestCase.captureOnCommitCallbacks(execute=True):
            ticket_update(ticket_id=ticket.pk, actor=agent, version=ticket.version, assignee=who)
    mails = Delivery.objects.filter(kind=Delivery.Kind.STAFF_ALERT, ticket_id=ticket.pk)
    assert [d.recipient for d in mails] == ["cible@comptoir.test"]
    mail = mails.get()
    assert mail.idempotency_key.startswith("notify:")
    assert ticket.reference in mail.subject and "was assigned to you by" in mail.subject
    assert f"/desk/tickets/{ticket.reference}/" in mail.body
    assert mail.status in (Delivery.Status.PENDING, Delivery.Status.SENT)
    assert _kinds(desk_only) == ["assigned"]


def test_bell_list_and_marking_read(make_ticket, team, agent):
    target = AgentFactory(teams=[team])
    tickets = [make_ticket(subject=f"Panne {i}") for i in range(2)]
    for t in tickets:
        t.refresh_from_db()
        with TestCase.captureOnCommitCallbacks(execute=True):
            ticket_update(ticket_id=t.pk, actor=agent, version=t.version, assignee=target)
    desk = _desk(target)
    page = desk.get(reverse("desk:queue"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-testid="bell-count" aria-live="polite">2<' in page
    listing = desk.get(reverse("desk:notifications"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert listing.count('data-testid="notification"') == 2
    assert f"{tickets[0].reference} was assigned to you by" in listing
    first = Notification.objects.filter(recipient=target).order_by("id").first()
    # Someone else cannot mark it read.
    _desk(agent).post(reverse("desk:notification_read", kwargs={"notification_id": first.pk}))
    first.refresh_from_db()
    assert first.read_at is None
    opened = desk.post(reverse("desk:notification_read", kwargs={"notification_id": first.pk}), {"open": "1"})
    assert opened.status_code == 302 and opened["Location"].endswith(
        f"/desk/tickets/{first.ticket.reference}/"
    )
    assert Notification.objects.filter(recipient=target, read_at__isnull=True).count() == 1
    desk.post(reverse("desk:notifications_read"))
    assert Notification.objects.filter(recipient=target, read_at__isnull=True).count() == 0


def test_opening_the_ticket_reads_its_notifications_only(make_ticket, team, agent):
    target = AgentFactory(teams=[team])
    opened, other = make_ticket(subject="Panne A"), make_ticket(subject="Panne B")
    for t in (opened, other):
        t.refresh_from_db()
        with TestCase.captureOnCommitCallbacks(execute=True):
            ticket_update(ticket_id=t.pk, actor=agent, version=t.version, assignee=target)
    # Someone else opening it reads nothing of the target's.
    _desk(agent).get(reverse("desk:ticket", kwargs={"reference": opened.reference}))
    assert Notification.objects.filter(recipient=target, read_at__isnull=True).count() == 2
    page = _desk(target).get(
        reverse("desk:ticket", kwargs={"reference": opened.reference}), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert 'data-testid="bell-count" aria-live="polite">1<' in page.content.decode()
    unread = Notification.objects.filter(recipient=target, read_at__isnull=True)
    assert list(unread.values_list("ticket_id", flat=True)) == [other.pk]


def test_a_customers_lines_are_one_notification_until_read(make_ticket, team):
    holder = AgentFactory(teams=[team])
    ticket = make_ticket()
    Ticket.objects.filter(pk=ticket.pk).update(assignee=holder)
    ticket.refresh_from_db()
    for line in ("Bonjour", "Ma facture", "est fausse"):
        with TestCase.captureOnCommitCallbacks(execute=True):
            ticket_customer_reply(ticket=ticket, body=line, channel="chat")
    assert _kinds(holder) == ["customer_reply"]
    Notification.objects.filter(recipient=holder).update(read_at=timezone.now())
    with TestCase.captureOnCommitCallbacks(execute=True):
        ticket_customer_reply(ticket=ticket, body="Encore là ?", channel="chat")
    assert _kinds(holder) == ["customer_reply", "customer_reply"]


def test_email_preference_never_doubles_an_alert_the_senior_already_gets(make_ticket, team):
    senior = AgentFactory(teams=[team], level=2, email="senior@comptoir.test")
    junior = AgentFactory(teams=[team], mentor=senior)
    _desk(senior).post(reverse("desk:notification_settings"), {"approval": "email"})
    ticket = make_ticket()
    Ticket.objects.filter(pk=ticket.pk).update(priority="P1")
    with TestCase.captureOnCommitCallbacks(execute=True):
        ticket_agent_message(ticket_id=ticket.pk, actor=junior, body="Une équipe arrive.", internal=False)
    assert _kinds(senior) == ["approval"]
    mails = Delivery.objects.filter(recipient="senior@comptoir.test")
    assert [d.idempotency_key.split(":")[0] for d in mails] == ["reply-held"], "one email, not two"
