"""A small history of known tickets, lived through the real services with the clock moved.

Every figure the tests expect is worked out by hand in ``tests/insights/test_figures.py`` from the
timeline below (Montréal time, a 24/7 calendar: first response within 60 minutes, resolution
within 600):

- T1 (web, customer A, "Front"): created 2 Mar 09:00, answered 09:30, resolved 11:00; survey 5/2.
- T2 (email, customer A): created 2 Mar 10:00; first-response target missed at 11:00; answered
  12:00; escalated to "Experts" (level 2) at 12:30; resolution target missed at 20:00; resolved
  3 Mar 10:00; survey 2/6.
- T3 (web, customer B): created 4 Mar 09:00, answered 09:10, resolved 09:40, reopened by the
  customer at 10:00, resolved again at 11:00.
- T4 (web, customer B): created 5 Mar 09:00, answered 09:20 and set waiting on the customer (the
  clock pauses), the customer answers at 19:00, resolved 20:00: 660 minutes of wall clock, 80 of
  SLA clock.
- T5 (web, customer C): a complaint created 6 Mar 09:00, never answered (first-response target
  missed at 10:00), still open.
- T6 (email, customer C): created 1 Apr 09:00, answered 09:05, resolved 10:00.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from comptoir.assignment.services import ticket_escalate
from comptoir.insights.services import metrics_sweep
from comptoir.outbox.models import Delivery
from comptoir.sla.models import SlaPolicy
from comptoir.surveys.services import survey_answer
from comptoir.tickets.models import Category, Ticket
from comptoir.tickets.services import ticket_agent_message, ticket_customer_reply, ticket_update
from comptoir.tickets.sla import sla_check
from tests.factories import AgentFactory, TeamFactory
from tests.sla.factories import BusinessCalendarFactory, SlaPolicyFactory

MONTREAL = ZoneInfo("America/Toronto")
ALWAYS_OPEN = [(d, time(0), time(0)) for d in range(7)]


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=MONTREAL)


@dataclass
class History:
    tickets: dict[str, Ticket]
    front: object
    experts: object
    agent: object
    billing: Category
    complaint: Category
    now: datetime


@pytest.fixture
def history(db, settings, make_ticket, django_capture_on_commit_callbacks) -> History:
    settings.COMPTOIR_SURVEY_DELAY = 0
    settings.TIME_ZONE = "America/Toronto"
    SlaPolicy.objects.all().delete()
    calendar = BusinessCalendarFactory(
        name="24/7", holiday_country="", holiday_subdiv=None, hours=ALWAYS_OPEN
    )
    SlaPolicyFactory(name="all", calendar=calendar, first_response_minutes=60, resolution_minutes=600)
    experts = TeamFactory(name="Experts", level=2)
    front = TeamFactory(name="Front", level=1, is_default=True, escalation_team=experts)
    agent = AgentFactory(
        teams=[front, experts], can_pick=True, is_supervisor=True, email="chef@comptoir.test"
    )
    billing = Category.objects.get_or_create(
        slug="billing", defaults={"name_en": "Billing", "name_fr": "Facturation"}
    )[0]
    complaint = Category.objects.get_or_create(
        slug="complaint", defaults={"name_en": "Complaint", "name_fr": "Plainte"}
    )[0]
    tickets: dict[str, Ticket] = {}

    def travel(moment: datetime):
        return time_machine.travel(moment, tick=False)

    def update(name: str, **fields) -> None:
        ticket = Ticket.objects.get(pk=tickets[name].pk)
        with django_capture_on_commit_callbacks(execute=True):
            ticket_update(ticket_id=ticket.pk, actor=agent, version=ticket.version, **fields)

    def reply(name: str, **kw) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            ticket_agent_message(
                ticket_id=tickets[name].pk, actor=agent, body="Voici la réponse.", internal=False
            )
        if "status" in kw:
            update(name, status=kw["status"])

    def create(name: str, moment: datetime, *, email: str, channel: str, category: Category) -> None:
        with travel(moment):
            tickets[name] = make_ticket(
                email=email, channel=channel, subject=f"Demande {name}", body="Pouvez-vous m'aider ?"
            )
            update(name, category=category, team=front)

    def customer_writes(name: str, body: str) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            ticket_customer_reply(ticket=Ticket.objects.get(pk=tickets[name].pk), body=body, channel="web")

    def answer_survey(name: str, satisfaction: int, effort: int) -> None:
        delivery = Delivery.objects.get(ticket_id=tickets[name].pk, kind="survey")
        token = delivery.body.split("/survey/")[1].split("/")[1]
        survey_answer(
            reference=tickets[name].reference, token=token, satisfaction=satisfaction, effort=effort
        )

    # T1
    create("T1", at(3, 2, 9), email="a@example.test", channel="web", category=billing)
    with travel(at(3, 2, 9, 30)):
        reply("T1")
    with travel(at(3, 2, 11)):
        update("T1", status="resolved")
    with travel(at(3, 2, 11, 30)):
        from comptoir.surveys.services import survey_send_due

        survey_send_due()
        answer_survey("T1", 5, 2)
    # T2
    create("T2", at(3, 2, 10), email="a@example.test", channel="email", category=billing)
    with travel(at(3, 2, 11, 5)):
        sla_check(ticket_id=tickets["T2"].pk)
    with travel(at(3, 2, 12)):
        reply("T2")
    with travel(at(3, 2, 12, 30)), django_capture_on_commit_callbacks(execute=True):
        ticket_escalate(actor=agent, ticket_id=tickets["T2"].pk, reason="expertise", summary="Compteur")
    with travel(at(3, 2, 20, 5)):
        sla_check(ticket_id=tickets["T2"].pk)
    with travel(at(3, 3, 10)):
        update("T2", status="resolved")
    with travel(at(3, 3, 10, 30)):
        survey_send_due()
        answer_survey("T2", 2, 6)
    # T3: resolved, reopened by the customer, resolved again
    create("T3", at(3, 4, 9), email="b@example.test", channel="web", category=billing)
    with travel(at(3, 4, 9, 10)):
        reply("T3")
    with travel(at(3, 4, 9, 40)):
        update("T3", status="resolved")
    with travel(at(3, 4, 10)):
        customer_writes("T3", "Ce n'est pas réglé.")
    with travel(at(3, 4, 11)):
        update("T3", status="resolved")
    # T4: the SLA clock paused while waiting on the customer
    create("T4", at(3, 5, 9), email="b@example.test", channel="web", category=billing)
    with travel(at(3, 5, 9, 20)):
        reply("T4", status="waiting_customer")
    with travel(at(3, 5, 19)):
        customer_writes("T4", "Voici le relevé.")
    with travel(at(3, 5, 19, 30)):
        sla_check(ticket_id=tickets["T4"].pk)  # 10.5 h of wall clock, 1.5 h of SLA clock: nothing
    with travel(at(3, 5, 20)):
        update("T4", status="resolved")
    # T5: a complaint nobody answered
    create("T5", at(3, 6, 9), email="c@example.test", channel="web", category=complaint)
    with travel(at(3, 6, 10, 5)):
        sla_check(ticket_id=tickets["T5"].pk)
    # T6: April
    create("T6", at(4, 1, 9), email="c@example.test", channel="email", category=billing)
    with travel(at(4, 1, 9, 5)):
        reply("T6")
    with travel(at(4, 1, 10)):
        update("T6", status="resolved")
    now = at(3, 10, 12)
    with travel(now):
        metrics_sweep()
    mail.outbox.clear()
    return History(
        tickets={k: Ticket.objects.get(pk=v.pk) for k, v in tickets.items()},
        front=front, experts=experts, agent=agent, billing=billing, complaint=complaint, now=now,
    )  # fmt: skip
