from __future__ import annotations

import random
import unicodedata

from django.core.management.base import BaseCommand
from django.db import transaction

from comptoir.accounts.services import agent_create
from comptoir.console.demo_data import NAMES, reply_text, ticket_text
from comptoir.customers.services import CustomerData
from comptoir.intake.services import InboundMessage, receive
from comptoir.routing.selectors import team_get_by_name
from comptoir.routing.services import team_get_or_create
from comptoir.sla.services import sla_default_setup
from comptoir.tickets.services import category_ensure, ticket_agent_message, ticket_update
from comptoir.triage.services import starter_categories_setup

DEMO_PASSWORD = "comptoir-demo"  # noqa: S105 - printed on purpose: demo data only
AGENTS = [
    ("camille@demo.comptoir.test", "Camille Dubé", "Support FR", 1),
    ("sam@demo.comptoir.test", "Sam Patel", "Support EN", 1),
    ("lea@demo.comptoir.test", "Léa Morin", "Billing", 1),
    ("alex@demo.comptoir.test", "Alex Nguyen", "Specialists", 2),
]
CATEGORIES = [
    ("billing", "Billing", "Facturation"),
    ("outage", "Outage", "Panne"),
    ("account", "Account access", "Accès au compte"),
    ("appointment", "Appointment", "Rendez-vous"),
    ("hardware", "Hardware", "Matériel"),
]


class Command(BaseCommand):
    help = "Load bilingual demo data: teams, agents, customers and a few hundred tickets."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--tickets", type=int, default=300)
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, **opts):  # type: ignore[no-untyped-def]
        if team_get_by_name(name="Specialists") is None:
            self._load(opts["tickets"], random.Random(opts["seed"]))
        else:
            self.stdout.write("Demo data already loaded.")
        self.stdout.write(self.style.SUCCESS("Demo logins (desk at /desk/, password for all: "
                                             f"{DEMO_PASSWORD}):"))  # fmt: skip
        self.stdout.write("  admin@demo.comptoir.test  (administrator, /admin/)")
        for email, name, team, level in AGENTS:
            self.stdout.write(f"  {email}  {name}, {team}, level {level}")

    def _load(self, count: int, rng: random.Random) -> None:
        sla_default_setup()  # a Québec calendar and one policy per priority
        starter_categories_setup()  # the starter triage model's categories
        teams = {}
        agents = []
        with transaction.atomic():
            for email, name, team, level in AGENTS:
                teams[team] = team_get_or_create(name=team, level=level)
                agents.append(agent_create(email=email, name=name, team_name=team, level=level,
                                           password=DEMO_PASSWORD))  # fmt: skip
            admin = agent_create(email="admin@demo.comptoir.test", name="Admin", team_name="Specialists",
                                 level=2, password=DEMO_PASSWORD, is_superuser=True)  # fmt: skip
            categories = [category_ensure(slug=s, name_en=en, name_fr=fr) for s, en, fr in CATEGORIES]
        statuses = (
            ["new"] * 3
            + ["open"] * 3
            + ["waiting_customer", "waiting_internal"]
            + ["resolved"] * 2
            + ["closed"]
        )  # noqa: E501
        for i in range(count):
            lang = "fr" if rng.random() < 0.55 else "en"
            name = rng.choice(NAMES[lang])
            subject, body = ticket_text(rng, lang, name)
            ascii_first = unicodedata.normalize("NFKD", name.split()[0]).encode("ascii", "ignore")
            email = f"{ascii_first.decode().lower()}.{i % 60}@example.test"
            result = receive(InboundMessage(
                channel=rng.choice(["web", "web", "email", "phone", "api"]),
                customer=CustomerData(name=name, email=email, language=lang),
                subject=subject, text=body, language=lang, external_id=f"demo:{i}",
            ))  # fmt: skip
            ticket = result.ticket
            team = teams["Support FR" if lang == "fr" else "Support EN"]
            if "factur" in subject.lower() or "invoice" in subject.lower():
                team = teams["Billing"]
            agent = rng.choice([a for a in agents if team in a.teams.all()] or agents)
            status = rng.choice(statuses)
            ticket = ticket_update(  # the dispatcher (admin) assigns: level-1 agents may not pick
                ticket_id=ticket.pk, actor=admin, version=ticket.version, team=team,
                priority=rng.choice(["P1", "P2", "P3", "P3", "P3", "P4"]),
                category=rng.choice(categories),
                assignee=agent if status != "new" else None,
            )  # fmt: skip
            if status != "new":
                ticket_agent_message(ticket=ticket, actor=agent, body=reply_text(rng, lang, name),
                                     internal=False)  # fmt: skip
                ticket.refresh_from_db()
                ticket_update(ticket_id=ticket.pk, actor=agent, version=ticket.version, status=status)
        self.stdout.write(self.style.SUCCESS(f"Loaded {count} demo tickets."))
