"""Triage: language, category, team and priority of each new ticket, with how sure it is.

Two layers decide. Rules written by administrators come first and always win for the fields they
set; the classifier (the organisation's model once trained, the shipped starter model before)
fills in the rest. Below the confidence threshold nothing is guessed: the ticket goes to the
triage queue. Priority adds safety words, key accounts, outages affecting many and a sentiment hook.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from comptoir.accounts.models import User
from comptoir.common.config import cached
from comptoir.common.exceptions import InvalidInput, NotFound, PermissionDenied
from comptoir.customers.models import Customer
from comptoir.routing.models import Team
from comptoir.routing.selectors import team_default
from comptoir.tickets.bulk import Action, BulkResult, tickets_bulk_fields
from comptoir.tickets.changes import Change
from comptoir.tickets.models import Category, Ticket
from comptoir.tickets.notifications import staff_alert
from comptoir.tickets.services import ticket_change

from .models import TrainingExample, TriageDecision, TriageRule
from .selectors import triage_guess_category

logger = logging.getLogger("comptoir.triage")

PRIORITIES = ["P1", "P2", "P3", "P4"]

# Words that make a request P1 whatever else it says: someone may be in danger. Matched on
# lower-cased, accent-free text, as whole words or phrases.
SAFETY_WORDS = (
    # English
    "danger", "dangerous", "gas smell", "smell of gas", "smell gas", "smells like gas", "gas leak",
    "downed line", "downed lines", "line down", "lines down", "wire down", "wires down", "power line down",
    "sparking", "sparks", "on fire", "fire", "smoke", "electrocuted", "electrocution", "carbon monoxide",
    "injured", "injury",
    # French
    "dangereux", "dangereuse", "fils tombes", "fil tombe", "fils electriques tombes", "fil electrique tombe",
    "ligne tombee", "odeur de gaz", "sent le gaz", "fuite de gaz", "incendie", "en feu", "fumee",
    "etincelles", "electrocute", "electrocution", "monoxyde de carbone", "blesse", "blessee",
)  # fmt: skip
OUTAGE_WORDS = (
    "outage",
    "power cut",
    "power out",
    "no power",
    "blackout",
    "panne",
    "coupure",
    "plus de courant",
)


def normalize(text: str) -> str:
    """Lower case without accents, so "Fils tombés" and "fils tombes" match the same rule."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=2048)
def _phrase_pattern(phrase: str) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)" + re.escape(normalize(phrase)).replace(r"\ ", r"\s+") + r"(?!\w)")


def contains_any(text: str, phrases: tuple[str, ...] | list[str]) -> str | None:
    """The first phrase found in ``text`` (already normalised), as a whole word or phrase."""
    for phrase in phrases:
        if phrase.strip() and _phrase_pattern(phrase.strip()).search(text):
            return phrase.strip()
    return None


@dataclass
class Decision:
    language: str
    language_confidence: float
    category: Category | None = None
    team: Team | None = None
    priority: str = Ticket.Priority.P3
    label: str = ""
    confidence: float = 0.0
    source: str = TriageDecision.Source.NONE
    rules: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    needs_review: bool = False
    outage: bool = False
    needs_model: bool = False  # no rule chose the category: the worker's classifier will try
    rule_team: bool = False

    @property
    def note(self) -> str:
        """One line for the ticket history, in the site language (the history is shared)."""
        parts = [f"language={self.language} ({self.language_confidence:.2f})"]
        if self.category is not None:
            parts.append(f"category={self.category.slug}")
        if self.team is not None:
            parts.append(f"team={self.team.name}")
        parts.append(f"priority={self.priority}")
        by = "analysis" if self.needs_model else self.source  # the worker's classifier decides
        parts.append(f"by={by}" + (f" ({self.confidence:.2f})" if self.source == "model" else ""))
        if self.needs_review:
            parts.append("triage queue")
        return "; ".join(parts + self.reasons)


def detect_language(text: str, *, fallback: str) -> tuple[str, float]:
    """French or English; short or ambiguous texts keep the declared or known language."""
    from comptoir.nlp.language import detect_language as detect

    return detect(text, fallback=fallback if fallback in ("en", "fr") else "en")


def classifier():  # type: ignore[no-untyped-def]
    """The organisation's model when `comptoir triage train` wrote one, else the starter model."""
    return _load_classifier(str(settings.COMPTOIR_TRIAGE_MODEL))


@lru_cache(maxsize=4)
def _load_classifier(path: str):  # type: ignore[no-untyped-def]
    from pathlib import Path

    from comptoir.nlp.classifier import TextClassifier, starter_model

    if Path(path).exists():
        try:
            return TextClassifier.load(path)
        except Exception:  # a broken model must not stop intake: fall back, loudly
            logger.exception("could not load the triage model at %s; using the starter model", path)
    return starter_model()


def classifier_reload() -> None:
    _load_classifier.cache_clear()


def _rule_matches(rule: TriageRule, *, text: str, channel: str, domain: str, customer: Customer) -> bool:
    if rule.channel and rule.channel != channel:
        return False
    if rule.sender_domain and rule.sender_domain.lower().lstrip("@") != domain:
        return False
    if rule.customer_id and rule.customer_id != customer.pk:
        return False
    if rule.customer_tier and rule.customer_tier != customer.tier:
        return False
    keywords = rule.keyword_list
    return not keywords or contains_any(text, keywords) is not None


def _boost(priority: str, steps: int = 1) -> str:
    return PRIORITIES[max(0, PRIORITIES.index(priority) - steps)]


def _most_urgent(*priorities: str) -> str:
    return min(priorities, key=PRIORITIES.index)


def _rules() -> list[TriageRule]:
    return cached(
        "routing",
        key="rules",
        load=lambda: list(
            TriageRule.objects.filter(is_active=True).select_related("set_category__team", "set_team")
        ),
    )


def _categories() -> dict[str, Category]:
    return cached(
        "routing", key="categories", load=lambda: {c.slug: c for c in Category.objects.select_related("team")}
    )


def _default_team() -> Team | None:
    return cached("routing", team_default, key="default-team")


def triage_decide(
    *,
    subject: str,
    text: str,
    channel: str,
    customer: Customer,
    sender_email: str | None,
    language: str,
    language_confidence: float | None = None,
) -> Decision:
    """What intake decides before the ticket exists: the administrators' rules, the default team,
    safety words and key accounts. Reads only (from per-process caches); no model runs here.

    Where no rule chose the category, ``needs_model`` is set: the worker's enrichment
    (``triage_enrich``) runs the classifier after the commit. ``language_confidence`` says
    ``language`` was already detected from this text (by intake); without it, it is detected here.
    """
    full = f"{subject}\n{text}"[:4000]
    norm = normalize(full)
    if language_confidence is None:
        language_code, language_confidence = detect_language(full, fallback=language)
    else:
        language_code = language
    decision = Decision(language=language_code, language_confidence=round(language_confidence, 3))
    domain = (sender_email or "").rpartition("@")[2].lower()

    # 1. Administrators' rules, in order; the first to set a field owns it.
    rule_priority = None
    for rule in _rules():
        if not _rule_matches(rule, text=norm, channel=channel, domain=domain, customer=customer):
            continue
        used = False
        if rule.set_category_id and decision.category is None:
            decision.category, used = rule.set_category, True
        if rule.set_team_id and decision.team is None:
            decision.team, used = rule.set_team, True
        if rule.set_priority in PRIORITIES and rule_priority is None:
            rule_priority, used = rule.set_priority, True
        if used:
            decision.rules.append(rule.name)
    decision.rule_team = decision.team is not None
    if decision.category is not None:
        decision.source, decision.confidence = TriageDecision.Source.RULE, 1.0
    else:
        decision.needs_model = True
    if decision.team is None and decision.category is not None and decision.category.team_id:
        decision.team = decision.category.team
    if decision.team is None:  # every ticket reaches a team from its first instant
        decision.team = _default_team()
        if decision.team is not None:
            decision.reasons.append("default team")

    # 2. Priority: rules, safety, key accounts (outages and tone: in the enrichment).
    priority = rule_priority or Ticket.Priority.P3
    safety = contains_any(norm, SAFETY_WORDS)
    if safety:
        priority = Ticket.Priority.P1
        decision.reasons.append(f"safety word: {safety}")
    decision.outage = contains_any(norm, OUTAGE_WORDS) is not None
    if customer.is_key_account:
        priority = _boost(priority)
        decision.reasons.append("key account")
    decision.priority = priority
    if decision.rules:
        decision.reasons.insert(0, "rules: " + ", ".join(decision.rules))
    return decision


def triage_context(decision: Decision) -> dict:
    """What the enrichment needs to know of intake's decision (JSON, it travels in the task)."""
    return {
        "language": decision.language, "language_confidence": decision.language_confidence,
        "rules": decision.rules, "outage": decision.outage, "needs_model": decision.needs_model,
        "rule_team": decision.rule_team, "source": decision.source,
        "team_id": decision.team.pk if decision.team else None, "priority": decision.priority,
    }  # fmt: skip


def _predict(text: str) -> tuple[str, float]:
    try:
        label, confidence = classifier().predict_one(text)
    except Exception:
        logger.exception("triage classifier failed; the ticket goes to the triage queue")
        return "", 0.0
    return label, round(float(confidence), 3)


def triage_enrich(ticket: Ticket, context: dict) -> str:
    """The worker's half of triage: the classifier where no rule chose the category, outages
    reported by many, the tone hook; then the decision record and the key-account alert.

    Runs after intake's commit; fills only what nobody has set meanwhile (an agent who classified
    or moved the ticket first wins). The model runs outside any transaction.
    """
    full = _example_text(ticket)  # the text intake saw: subject and first customer message
    label, confidence = _predict(full) if context.get("needs_model", True) else ("", 0.0)
    tone = _sentiment_priority(full, ticket.language)
    reasons: list[str] = []
    with transaction.atomic():
        current = Ticket.objects.select_for_update().select_related("customer").get(pk=ticket.pk)
        changes: dict[str, Any] = {}
        source, needs_review = context.get("source", TriageDecision.Source.NONE), False
        if context.get("needs_model", True):
            category = _categories().get(label.lower()[:50]) if label else None
            if category is not None and confidence >= settings.COMPTOIR_TRIAGE_MIN_CONFIDENCE:
                source = TriageDecision.Source.MODEL
                if current.category_id is None:
                    changes["category"] = category
                    initial_team = context.get("team_id")
                    team_untouched = current.team_id == initial_team and current.assignee_id is None
                    if category.team_id and not context.get("rule_team") and team_untouched:
                        changes["team"] = category.team
            else:
                needs_review = current.category_id is None
        priority = context.get("priority") or current.priority
        if context.get("outage"):
            since = timezone.now() - timedelta(hours=1)
            recent = TriageDecision.objects.filter(rules__contains="outage", created_at__gte=since).count()
            if recent + 1 >= settings.COMPTOIR_TRIAGE_OUTAGE_TICKETS:
                priority = Ticket.Priority.P1
                reasons.append(f"outage reported {recent + 1} times within an hour")
        if tone in PRIORITIES:
            priority = _most_urgent(priority, tone)
            reasons.append(f"tone: {tone}")
        if priority != current.priority and current.priority == context.get("priority"):
            changes["priority"] = priority
        if changes:
            current = ticket_change(ticket=current, actor=None, changes=changes, label="")
        rules = ", ".join(context.get("rules", []) + (["outage"] if context.get("outage") else []))[:300]
        TriageDecision.objects.get_or_create(
            ticket=current,
            defaults={
                "language": context.get("language", current.language),
                "language_confidence": context.get("language_confidence", 0.0), "label": label[:100],
                "confidence": confidence, "source": source, "rules": rules, "needs_review": needs_review,
            },
        )  # fmt: skip
        _key_account_alert(current)
    # Machine-readable, as intake's triage note (tickets.history puts it in the reader's words).
    parts = [f"by=model ({confidence:.2f})" if source == TriageDecision.Source.MODEL else ""]
    parts += [f"{name}={_display_value(value)}" for name, value in changes.items()]
    parts += [*reasons, "triage queue" if needs_review else ""]
    return "; ".join(p for p in parts if p)


def _display_value(value: Any) -> str:
    return getattr(value, "slug", None) or getattr(value, "name", None) or str(value)


def _key_account_alert(ticket: Ticket) -> None:
    customer = ticket.customer
    coordinator = customer.coordinator if customer.is_key_account and customer.coordinator_id else None
    if coordinator is not None and coordinator.is_active:
        with translation.override(coordinator.language or "en"):
            values = {"reference": ticket.reference, "customer": str(customer), "subject": ticket.subject}
            staff_alert(
                key=f"key-account:{ticket.pk}:{coordinator.pk}",
                user=coordinator,
                ticket=ticket,
                subject=_("[%(reference)s] New request from key account %(customer)s") % values,
                body=_("%(customer)s opened %(reference)s: %(subject)s") % values,
            )


def _sentiment_priority(text: str, language: str) -> str | None:
    """The hook the sentiment issue fills: a function (text, language) -> priority or None."""
    path = settings.COMPTOIR_SENTIMENT_HOOK
    if not path:
        return None
    try:
        return import_string(path)(text, language)
    except Exception:
        logger.exception("sentiment hook %s failed", path)
        return None


def _example_text(ticket: Ticket) -> str:
    """What the classifier reads of a ticket: its subject and first customer message."""
    first = (
        ticket.messages.filter(kind="customer").order_by("id").values_list("body", flat=True).first() or ""
    )
    return f"{ticket.subject}\n{first}"[:4000]


def learn_from_correction(change: Change) -> None:
    """An agent's change of category or team is kept as a training example, and the ticket
    leaves the triage queue once a person has classified it (``tickets.changes`` handler, in the
    change's transaction; the model's own changes teach nothing)."""
    if change.actor_id is None:
        return
    ticket = Ticket.objects.select_related("category", "team").get(pk=change.ticket_id)
    category = ticket.category
    if category is None:
        return
    decision = TriageDecision.objects.filter(ticket_id=ticket.pk).first()
    TrainingExample.objects.create(
        text=_example_text(ticket), label=category.slug,
        team_name=ticket.team.name if ticket.team else "", language=ticket.language,
        source=TrainingExample.Source.CORRECTION, ticket=ticket,
        predicted=decision.label if decision else "", author_id=change.actor_id,
    )  # fmt: skip
    if decision is not None and decision.needs_review:
        TriageDecision.objects.filter(pk=decision.pk).update(needs_review=False, reviewed_at=timezone.now())


def training_data() -> tuple[list[str], list[str]]:
    """What `comptoir triage train` learns from: corrections, then resolved tickets with a category.

    A ticket corrected by an agent counts once, with the corrected label.
    """
    texts: list[str] = []
    labels: list[str] = []
    corrected: set[int] = set()
    for example in TrainingExample.objects.order_by("-id").iterator():
        if example.ticket_id is not None:
            if example.ticket_id in corrected:
                continue
            corrected.add(example.ticket_id)
        texts.append(example.text)
        labels.append(example.label)
    resolved = (
        Ticket.objects.filter(
            status__in=[Ticket.Status.RESOLVED, Ticket.Status.CLOSED], category__isnull=False
        )
        .exclude(pk__in=corrected)
        .select_related("category")
        .order_by("-id")[:50_000]
    )
    for ticket in resolved:
        assert ticket.category is not None  # category__isnull=False above
        texts.append(_example_text(ticket))
        labels.append(ticket.category.slug)
    return texts, labels


# Names of the starter model's categories (a power utility, an IT service desk, a payments team;
# see nlp/starter/ATTRIBUTION.md): English and French display names.
STARTER_NAMES = {
    "outage": ("Outage", "Panne"),
    "billing": ("Billing", "Facturation"),
    "payment_arrangement": ("Payment arrangement", "Entente de paiement"),
    "move": ("Move in / move out", "Déménagement"),
    "meter": ("Meter", "Compteur"),
    "account_access": ("Account access", "Accès au compte"),
    "incident": ("IT incident", "Incident informatique"),
    "service_request": ("Service request", "Demande de service"),
    "complaint": ("Complaint", "Plainte"),
}


@transaction.atomic
def category_team_set(*, actor: User, category_id: int, team: Team | None) -> Category:
    """Choose the team that receives the tickets triaged into a category (None: the default team).

    Supervisors and administrators decide where work goes; the change applies to new tickets.
    """
    if not actor.supervises:
        raise PermissionDenied(_("Only supervisors can choose which team receives a category."))
    category = Category.objects.select_for_update().filter(pk=category_id).first()
    if category is None:
        raise NotFound(_("Unknown category."))
    if category.team_id != (team.pk if team is not None else None):
        category.team = team
        category.save(update_fields=["team"])
    return category


@transaction.atomic
def starter_categories_setup() -> int:
    """A category for each label of the starter model, so a fresh install triages at once."""
    from comptoir.nlp.classifier import OUT_OF_SCOPE_LABEL, starter_model

    created = 0
    for label in starter_model().labels:
        if label == OUT_OF_SCOPE_LABEL:  # no category: out-of-scope tickets go to the triage queue
            continue
        slug = label.lower()[:50]
        name_en, name_fr = STARTER_NAMES.get(slug, (label.replace("_", " ").capitalize(),) * 2)
        _category, made = Category.objects.get_or_create(
            slug=slug, defaults={"name_en": name_en, "name_fr": name_fr}
        )
        created += made
    return created


def triage_accept_kept(ticket: Ticket) -> dict[str, Any]:
    """Before a bulk accept changes ``ticket``: its place in the triage queue and its newest
    training example, so that undo puts the first back and withdraws the examples taught since
    (``tickets.bulk.on_bulk_action``; JSON-ready, kept in the bulk change)."""
    decision = (
        TriageDecision.objects.filter(ticket_id=ticket.pk).values("needs_review", "reviewed_at").first()
    )
    newest = TrainingExample.objects.filter(ticket_id=ticket.pk).aggregate(newest=Max("id"))["newest"]
    return {
        "decision": decision is not None,
        "needs_review": bool(decision and decision["needs_review"]),
        "reviewed_at": decision["reviewed_at"].isoformat() if decision and decision["reviewed_at"] else None,
        "example_after": newest or 0,
    }


def triage_accept_restore(ticket: Ticket, kept: dict[str, Any]) -> None:
    """Undo of a bulk accept, after the fields went back: the ticket returns to the triage queue
    as it was, and the training examples the accept (and the undo itself) recorded are withdrawn:
    the classifier must not learn a guess that a person took back. Examples from before stay."""
    TrainingExample.objects.filter(ticket_id=ticket.pk, pk__gt=kept.get("example_after", 0)).delete()
    if kept.get("decision"):
        reviewed = kept.get("reviewed_at")
        TriageDecision.objects.filter(ticket_id=ticket.pk).update(
            needs_review=bool(kept.get("needs_review")),
            reviewed_at=datetime.fromisoformat(reviewed) if reviewed else None,
        )


def triage_accept_many(*, actor: User, references: list[str]) -> BulkResult:
    """Accept the triage guess of many tickets at once (issue 10): each gets the category its
    guess names, and that category's team when it has one. Through ``tickets.bulk``: each ticket
    permission-checked and changed on its own, the whole undoable; the change teaches the
    classifier and takes the ticket out of the triage queue (``learn_from_correction``)."""

    def changes_for(ticket: Ticket) -> dict[str, Any]:
        category = triage_guess_category(ticket_id=ticket.pk)
        if category is None:
            raise InvalidInput(_("Triage made no guess with a category to accept."), field="ticket")
        changes: dict[str, Any] = {"category": category}
        if category.team_id is not None:
            changes["team"] = category.team
        return changes

    return tickets_bulk_fields(
        actor=actor, references=references, action=Action.ACCEPT_TRIAGE, changes_for=changes_for
    )
