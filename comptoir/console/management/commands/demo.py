from __future__ import annotations

import random
import unicodedata
from collections import Counter

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from comptoir.accounts.models import User
from comptoir.accounts.services import agent_create
from comptoir.assignment.services import ticket_escalate
from comptoir.common.config import invalidate
from comptoir.console.demo_data import ANGRY, ARTICLES, MACROS, NAMES, reply_text, ticket_topic
from comptoir.customers.services import CustomerData
from comptoir.intake.services import InboundMessage, receive
from comptoir.knowledge.services import ArticleData, article_create
from comptoir.macros.services import MacroData, macro_create
from comptoir.notifications.services import notifications_read_settled
from comptoir.routing.selectors import team_get_by_name
from comptoir.routing.services import team_get_or_create
from comptoir.search.suggestions import suggestions_compute_missing, vectors_reindex
from comptoir.sla.services import sla_default_setup
from comptoir.tickets.selectors import category_list
from comptoir.tickets.services import category_ensure, ticket_agent_message, ticket_update
from comptoir.triage.services import category_team_set, starter_categories_setup

DEMO_PASSWORD = "comptoir-demo"  # noqa: S105 - printed on purpose: demo data only
SENIOR = "alex@demo.comptoir.test"
SUPERVISOR = SENIOR  # the senior also supervises: routes categories, sees the outbox and the figures
# The first level-1 team becomes the default team: requests triage cannot place land there.
# The last field: the language each agent works in (their desk emails are written in it).
AGENTS = [
    ("camille@demo.comptoir.test", "Camille Dubé", "Customer care", 1, "fr"),
    ("sam@demo.comptoir.test", "Sam Patel", "Outages", 1, "en"),
    ("lea@demo.comptoir.test", "Léa Morin", "Billing", 1, "fr"),
    (SENIOR, "Alex Nguyen", "Specialists", 2, "en"),
]
# Issue 13: services customers follow for incident broadcasts (slug, French, English, keywords,
# category), and the districts demo customers live in.
SERVICES = [
    (
        "electricity",
        "Électricité",
        "Electricity",
        "courant, panne, coupure\npower, outage, blackout",
        "outage",
    ),
    (
        "online-account",
        "Espace client en ligne",
        "Online account",
        "connexion, mot de passe\nlogin, password",
        "account_access",
    ),
]
AREAS = ["H2T", "H2J", "H3A", "H4B"]
# The demo's categories (the starter triage model's labels) and the team that receives each.
CATEGORIES = [
    ("billing", "Billing", "Facturation", "Billing"),
    ("payment_arrangement", "Payment arrangement", "Entente de paiement", "Billing"),
    ("outage", "Outage", "Panne", "Outages"),
    ("meter", "Meter", "Compteur", "Outages"),
    ("incident", "Incident", "Incident", "Outages"),
    ("move", "Moving in or out", "Déménagement", "Customer care"),
    ("account_access", "Account access", "Accès au compte", "Customer care"),
    ("service_request", "Service request", "Demande de service", "Customer care"),
    ("complaint", "Complaint", "Plainte", "Customer care"),
]
# Other starter labels, by what their name says.
TEAM_BY_WORD = [(("bill", "invoice", "pay", "refund", "fee"), "Billing"), (("outage", "meter"), "Outages")]
# Open tickets each level-1 agent holds (capacity 10): "next ticket" has room to give more.
HELD_PER_AGENT = 3
ESCALATED = 6  # waiting for the specialists' "next ticket"
STATUSES = ["new"] * 4 + ["resolved"] * 4 + ["closed"] * 3 + ["open", "waiting_customer"]


def _team_for(slug: str) -> str:
    named = {s: team for s, _en, _fr, team in CATEGORIES}
    if slug in named:
        return named[slug]
    return next((team for words, team in TEAM_BY_WORD if any(w in slug for w in words)), "Customer care")


class Command(BaseCommand):
    help = "Load bilingual demo data: teams, agents, customers and a few hundred tickets."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--tickets", type=int, default=300)
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, **opts):  # type: ignore[no-untyped-def]
        # A fresh data directory has no tables yet: prepare it as ``comptoir run`` does.
        call_command("migrate", interactive=False, verbosity=0)
        if team_get_by_name(name="Specialists") is None:
            self._load(opts["tickets"], random.Random(opts["seed"]))
        else:
            self.stdout.write("Demo data already loaded.")
        self.stdout.write(self.style.SUCCESS("Demo logins (desk at /desk/, password for all: "
                                             f"{DEMO_PASSWORD}):"))  # fmt: skip
        self.stdout.write("  admin@demo.comptoir.test  (administrator, /admin/)")
        for email, name, team, level, _language in AGENTS:
            paired = f", paired with {SENIOR}" if level == 1 else ""
            role = " (supervisor, /desk/categories/)" if email == SUPERVISOR else ""
            self.stdout.write(f"  {email}  {name}, {team}, level {level}{paired}{role}")

    def _load(self, count: int, rng: random.Random) -> None:
        sla_default_setup()  # already there after migrate; kept for databases migrated before
        starter_categories_setup()  # the starter triage model's categories
        teams = {}
        agents = []
        with transaction.atomic():
            for email, name, team, level, language in AGENTS:
                teams[team] = team_get_or_create(name=team, level=level)
                agents.append(agent_create(email=email, name=name, team_name=team, level=level,
                                           password=DEMO_PASSWORD, language=language,
                                           is_supervisor=email == SUPERVISOR))  # fmt: skip
            admin = agent_create(email="admin@demo.comptoir.test", name="Admin", team_name="Specialists",
                                 level=2, password=DEMO_PASSWORD, is_superuser=True,
                                 language="en")  # fmt: skip
            for slug, name_en, name_fr, _team in CATEGORIES:
                category_ensure(slug=slug, name_en=name_en, name_fr=name_fr)
            categories = {}
            for category in category_list():
                team = teams[_team_for(category.slug)]
                categories[category.slug] = category_team_set(actor=admin, category_id=category.pk, team=team)
            for name, body_fr, body_en, status in MACROS:  # shared canned replies (issue 10)
                macro_create(actor=admin, data=MacroData(name=name, body_fr=body_fr, body_en=body_en,
                                                         shared=True, set_status=status))  # fmt: skip
            for slug, (title_fr, body_fr), (title_en, body_en), public in ARTICLES:  # issue 11
                visibility = "public" if public else "internal"
                french = article_create(actor=admin, data=ArticleData(
                    title=title_fr, body=body_fr, language="fr", status="published",
                    visibility=visibility, category=categories.get(slug),
                ))  # fmt: skip
                article_create(actor=admin, data=ArticleData(
                    title=title_en, body=body_en, language="en", status="published",
                    visibility=visibility, category=categories.get(slug), translation_of=french.pk,
                ))  # fmt: skip
        juniors = [a for a in agents if a.level == 1]
        held: Counter[int] = Counter()
        escalated = 0
        for i in range(count):
            lang = "fr" if rng.random() < 0.55 else "en"
            name = rng.choice(NAMES[lang])
            slug, subject, body = ticket_topic(rng, lang, name)
            ascii_first = unicodedata.normalize("NFKD", name.split()[0]).encode("ascii", "ignore")
            email = f"{ascii_first.decode().lower()}.{i % 60}@example.test"
            ticket = receive(InboundMessage(
                channel=rng.choice(["web", "web", "email", "phone", "api"]),
                customer=CustomerData(name=name, email=email, language=lang),
                subject=subject, text=body, language=lang, external_id=f"demo:{i}",
            )).ticket  # fmt: skip
            ticket.refresh_from_db()  # the enrichment may have run already (a task backend that runs at once)
            category = categories[slug]
            team = category.team
            agent = next((a for a in juniors if team in a.teams.all()), juniors[0])
            # Most of the history is settled; a third waits in the queues, unassigned; each
            # agent holds a few open tickets.
            status = rng.choice(STATUSES)
            if status in ("open", "waiting_customer") and held[agent.pk] >= HELD_PER_AGENT:
                status = "new"
            ticket = ticket_update(  # the dispatcher (admin) assigns: level-1 agents may not pick
                ticket_id=ticket.pk, actor=admin, version=ticket.version, team=team, category=category,
                priority=rng.choice(["P2", "P3", "P3", "P3", "P4"]),
                assignee=agent if status != "new" else None,
            )  # fmt: skip
            if status == "new":
                if escalated < ESCALATED and rng.random() < 0.1:
                    ticket_escalate(actor=agent, ticket_id=ticket.pk, reason="Specialist needed",
                                    summary="Checked the account; needs a level-2 look.")  # fmt: skip
                    escalated += 1
                continue
            ticket_agent_message(ticket=ticket, actor=agent, body=reply_text(rng, lang, name), internal=False)
            ticket.refresh_from_db()
            ticket_update(ticket_id=ticket.pk, actor=agent, version=ticket.version, status=status)
            held[agent.pk] += status in ("open", "waiting_customer")
        for i, (lang, name, subject, body) in enumerate(ANGRY):  # scored and flagged by the worker
            receive(InboundMessage(
                channel="email", subject=subject, text=body, language=lang, external_id=f"demo:angry:{i}",
                customer=CustomerData(name=name, email=f"angry.{i}@example.test", language=lang),
            ))  # fmt: skip
        # Pairing: juniors' urgent replies wait for the senior's approval (set once the history
        # is written, so the demo's own replies went out).
        senior = next(a for a in agents if a.level == 2)
        User.objects.filter(pk__in=[a.pk for a in juniors]).update(mentor=senior)
        # The history is settled: what it told the agents about resolved and closed tickets is
        # read, so the bell starts with what is still theirs to do (held tickets, escalations).
        notifications_read_settled(users=[*agents, admin])
        invalidate("api-tokens")  # users cached with their API tokens (no save signal on update)
        self._proactive(admin=admin, supervisor=next(a for a in agents if a.email == SUPERVISOR),
                        categories=categories, rng=rng)  # fmt: skip
        # Suggestions (issue 11): resolved tickets and articles embedded in batches, and every
        # ticket's suggestions ready when the desk opens (the worker's own tasks then find them done).
        vectors_reindex()
        suggestions_compute_missing()
        self.stdout.write(self.style.SUCCESS(f"Loaded {count} demo tickets."))

    def _proactive(self, *, admin: User, supervisor: User, categories: dict, rng: random.Random) -> None:
        """Issues 12 and 13: the services customers follow and the areas they live in (who an
        incident's broadcast reaches before they write), one open outage with its first update
        (the status page, the broadcast in the outbox), and a quality threshold for the supervisor."""
        from datetime import timedelta
        from decimal import Decimal

        from django.utils import timezone

        from comptoir.customers.models import Customer
        from comptoir.incidents.models import Service
        from comptoir.incidents.services import (
            customer_coverage_set,
            incident_declare,
            incident_publish_update,
        )
        from comptoir.insights.thresholds import ThresholdData, threshold_create

        for slug, name_fr, name_en, keywords, category in SERVICES:
            Service.objects.get_or_create(slug=slug, defaults={
                "name_fr": name_fr, "name_en": name_en, "keywords": keywords,
                "category": categories.get(category),
            })  # fmt: skip
        for i, customer_id in enumerate(Customer.objects.order_by("pk").values_list("pk", flat=True)[:60]):
            followed = ["electricity"] if i % 3 == 0 else []
            customer_coverage_set(actor=admin, customer_id=customer_id, area=rng.choice(AREAS),
                                  service_slugs=followed)  # fmt: skip
        incident = incident_declare(
            actor=supervisor, title="Panne de courant / Power outage — Plateau (H2T)",
            service_slug="electricity", area="H2T", impact="major",
            workaround_fr="Les bornes de recharge du parc Laurier restent alimentées.",
            workaround_en="The charging points in Laurier park still have power.",
            next_update_at=timezone.now() + timedelta(hours=2),
        )  # fmt: skip
        incident_publish_update(
            actor=supervisor, incident_id=incident.pk,
            body_fr="Une équipe est sur place ; retour du courant prévu d’ici deux heures.",
            body_en="A crew is on site; power should be back within two hours.",
        )  # fmt: skip
        threshold_create(actor=admin, data=ThresholdData(
            figure="level1_resolution_share", comparison="below", value=Decimal(85), window="month",
            owner=supervisor,
        ))  # fmt: skip
