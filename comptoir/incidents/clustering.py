"""Detecting recurring incidents (issue 13, item 5) and customers who keep tripping on the same
thing (item 6). Run by the worker every hour (``IncidentsConfig``) and by
``comptoir problems detect``; never in a request.

Detection: the tickets of the window (``COMPTOIR_PROBLEM_WINDOW_DAYS``, 14 by default) not yet
linked to a problem are clustered by meaning (their problem text's USE-multilingual vector: a
French and an English ticket about the same fault meet), category and configuration items
(``nlp.clustering``). A cluster of at least ``COMPTOIR_PROBLEM_MIN_TICKETS`` (5) tickets becomes a
proposal, with why: its tickets, the words most of them share, their configuration items and
category. Vectors are reused: a resolved ticket's from the search app's suggestion vectors, the
others from ``ClusterVector``, embedded once, at most ``EMBED_PER_RUN`` a run.

Memory of decisions: a cluster whose exact set of tickets was proposed before is skipped; a
pending proposal that mostly overlaps the cluster is updated; a cluster that mostly overlaps a
dismissed one is proposed again only if it brought at least ``GROWTH`` times the dismissed size
(and at least ``GROWTH_MIN``) of new tickets.
"""

from __future__ import annotations

import hashlib
import logging
import math
import os
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from comptoir.accounts.models import User
from comptoir.customers.models import Customer
from comptoir.nlp import clustering, embed
from comptoir.notifications.models import Notification
from comptoir.notifications.services import notification_notice
from comptoir.outbox.models import Delivery
from comptoir.outbox.services import delivery_enqueue
from comptoir.search.models import SuggestionVector
from comptoir.search.text import STOPWORDS, stem, stem_language, words
from comptoir.tickets.models import Category, ConfigurationItem, Message, Ticket

from .models import (
    ClusterVector,
    CoachingSuggestion,
    Problem,
    ProblemProposal,
    ProblemTicket,
    ProposalTicket,
)

logger = logging.getLogger("comptoir.problems")

DIM = embed.DIM
MAX_TICKETS = 100_000  # newest tickets of the window looked at
EMBED_PER_RUN = 20_000  # tickets embedded in one run (about a minute); the rest at the next run
CHUNK = 5_000
OVERLAP = 0.5  # share of an earlier proposal's tickets that makes a cluster "the same one"
GROWTH = 0.5
GROWTH_MIN = 3
TERMS = 8
BACKGROUND = 1_000  # window tickets sampled to tell common words from the cluster's own
COACHING_PERIOD_DAYS = 60
COACHING_MIN = 3
CUSTOMER_PATH = "/desk/customers/{id}/"


def _env_int(name: str, default: int) -> int:
    try:
        return max(1, int(os.environ.get(name, default)))
    except ValueError:
        return default


def window_days() -> int:
    return _env_int("COMPTOIR_PROBLEM_WINDOW_DAYS", 14)


def min_tickets() -> int:
    return _env_int("COMPTOIR_PROBLEM_MIN_TICKETS", 5)


@dataclass
class Detection:
    tickets: int = 0
    embedded: int = 0
    clusters: int = 0
    proposed: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    remembered: int = 0  # clusters left out because they were proposed or dismissed before
    seconds: float = 0.0
    skipped: str = ""


@dataclass(frozen=True)
class _Row:
    pk: int
    subject: str
    language: str
    category_id: int | None
    created_at: datetime


# --- Vectors -------------------------------------------------------------------------------------


def _chunks(ids: Sequence[int]) -> list[Sequence[int]]:
    return [ids[k : k + CHUNK] for k in range(0, len(ids), CHUNK)]


def _first_messages(ticket_ids: Sequence[int]) -> dict[int, str]:
    firsts: dict[int, str] = {}
    for part in _chunks(ticket_ids):
        rows = (
            Message.objects.filter(ticket_id__in=part, kind=Message.Kind.CUSTOMER, hold=Message.Hold.NONE)
            .order_by("ticket_id", "id")
            .values_list("ticket_id", "body")
        )
        for ticket_id, body in rows:
            firsts.setdefault(ticket_id, body[:2000])
    return firsts


def _problem_text(subject: str, body: str) -> str:
    """The text the search app embeds for a ticket (``search.suggestions``), so that its stored
    vectors and these are comparable: the subject and the message's lines of more than three words."""
    lines = "\n".join(line for line in body.splitlines() if len(line.split()) > 3) or body
    return f"{subject}\n{lines}".strip()


def _vectors(rows: list[_Row], *, budget: int) -> tuple[dict[int, np.ndarray], int]:
    """Each ticket's vector: stored by the search app, kept here, or embedded now (and kept)."""
    ids = [r.pk for r in rows]
    found: dict[int, np.ndarray] = {}
    for part in _chunks(ids):
        for pk, blob in ClusterVector.objects.filter(ticket_id__in=part).values_list("ticket_id", "vector"):
            found[pk] = np.frombuffer(bytes(blob), dtype=np.float16)
        missing = [pk for pk in part if pk not in found]
        for pk, blob in SuggestionVector.objects.filter(
            kind=SuggestionVector.Kind.TICKET, object_id__in=missing
        ).values_list("object_id", "vector"):
            found[int(pk)] = np.frombuffer(bytes(blob), dtype=np.float16)
    todo = [r for r in rows if r.pk not in found][:budget]
    if not todo:
        return {k: v.astype(np.float32) for k, v in found.items()}, 0
    firsts = _first_messages([r.pk for r in todo])
    for start in range(0, len(todo), 256):
        batch = todo[start : start + 256]
        matrix = embed.encode([_problem_text(r.subject, firsts.get(r.pk, "")) for r in batch])
        packed = matrix.astype(np.float16)
        ClusterVector.objects.bulk_create(
            [ClusterVector(ticket_id=r.pk, vector=packed[i].tobytes()) for i, r in enumerate(batch)],
            ignore_conflicts=True,
        )
        for i, r in enumerate(batch):
            found[r.pk] = packed[i]
    return {k: v.astype(np.float32) for k, v in found.items()}, len(todo)


def _items(ticket_ids: Sequence[int]) -> dict[int, set[int]]:
    through = Message.configuration_items.through
    out: dict[int, set[int]] = {}
    for part in _chunks(ticket_ids):
        for ticket_id, item_id in through.objects.filter(message__ticket_id__in=part).values_list(
            "message__ticket_id", "configurationitem_id"
        ):
            out.setdefault(ticket_id, set()).add(item_id)
    return out


# --- Why: shared words, items, category ----------------------------------------------------------


def _ticket_terms(text: str, language: str) -> dict[str, str]:
    """stem → the first spelling of it in the text (meaningful words only)."""
    lang = stem_language(language)
    out: dict[str, str] = {}
    for word in words(text):
        if len(word) < 3 or word in STOPWORDS or word.isdigit():
            continue
        out.setdefault(stem(word, lang), word)
    return out


def shared_terms(
    texts: Sequence[tuple[str, str]], background: Sequence[tuple[str, str]], limit: int = TERMS
) -> list[str]:
    """The words most of the cluster's tickets use and the window's tickets in general do not:
    (text, language) pairs in, words as written out, best first."""
    df: Counter[str] = Counter()
    spelling: dict[str, Counter[str]] = {}
    for text, language in texts:
        for s, word in _ticket_terms(text, language).items():
            df[s] += 1
            spelling.setdefault(s, Counter())[word] += 1
    bg: Counter[str] = Counter()
    for text, language in background:
        bg.update(_ticket_terms(text, language).keys())
    n, n_bg = len(texts), max(len(background), 1)
    floor = max(2, math.ceil(0.3 * n))
    scored = [
        ((count / n) * math.log((1 + n_bg) / (1 + bg[s])), s) for s, count in df.items() if count >= floor
    ]
    scored.sort(key=lambda x: (-x[0], x[1]))
    return [spelling[s].most_common(1)[0][0] for score, s in scored[:limit] if score > 0]


def _shared_items(members: Sequence[int], items: dict[int, set[int]]) -> list[str]:
    counts: Counter[int] = Counter()
    for pk in members:
        counts.update(items.get(pk, ()))
    floor = max(2, math.ceil(0.3 * len(members)))
    wanted = [i for i, c in counts.most_common() if c >= floor]
    names = dict(ConfigurationItem.objects.filter(pk__in=wanted).values_list("pk", "name"))
    return [names[i] for i in wanted if i in names]


def _main_category(members: Sequence[_Row]) -> int | None:
    counts = Counter(r.category_id for r in members if r.category_id is not None)
    if not counts:
        return None
    category, count = counts.most_common(1)[0]
    return category if count * 2 >= len(members) else None


def _cohesion(vectors: np.ndarray) -> float:
    n = len(vectors)
    if n < 2:
        return 1.0
    total = vectors.sum(axis=0)
    return float((total @ total - n) / (n * (n - 1)))


def fingerprint(ticket_ids: Sequence[int]) -> str:
    return hashlib.sha256(",".join(str(i) for i in sorted(ticket_ids)).encode()).hexdigest()


# --- Proposals -----------------------------------------------------------------------------------


def _earlier(ticket_ids: list[int]) -> list[tuple[ProblemProposal, set[int]]]:
    """Earlier pending or dismissed proposals sharing at least ``OVERLAP`` of their tickets."""
    overlaps: Counter[int] = Counter()
    for part in _chunks(ticket_ids):
        overlaps.update(
            dict(
                ProposalTicket.objects.filter(
                    ticket_id__in=part,
                    proposal__status__in=[ProblemProposal.Status.PENDING, ProblemProposal.Status.DISMISSED],
                )
                .values_list("proposal_id")
                .annotate(n=Count("id"))
                .values_list("proposal_id", "n")
            )
        )
    found = []
    for proposal in ProblemProposal.objects.filter(pk__in=list(overlaps)).order_by("-id"):
        if overlaps[proposal.pk] >= OVERLAP * proposal.size:
            tickets = set(
                ProposalTicket.objects.filter(proposal=proposal).values_list("ticket_id", flat=True)
            )
            found.append((proposal, tickets))
    return found


@transaction.atomic
def _propose(
    *, members: list[_Row], vectors: np.ndarray, items: dict[int, set[int]],
    background: list[tuple[str, str]], days: int, outcome: Detection,
) -> None:  # fmt: skip
    ids = sorted(r.pk for r in members)
    print_ = fingerprint(ids)
    if ProblemProposal.objects.filter(fingerprint=print_).exists():
        outcome.remembered += 1
        return
    target: ProblemProposal | None = None
    for earlier, tickets in _earlier(ids):
        if earlier.status == ProblemProposal.Status.DISMISSED:
            new = len(set(ids) - tickets)
            if new < max(GROWTH_MIN, GROWTH * earlier.size):
                outcome.remembered += 1
                return
        elif target is None:
            target = earlier
    firsts = _first_messages(ids)
    texts = [(f"{r.subject}\n{firsts.get(r.pk, '')}", r.language) for r in members]
    fields = {
        "fingerprint": print_, "size": len(ids), "shared_terms": shared_terms(texts, background),
        "shared_items": _shared_items(ids, items), "category_id": _main_category(members),
        "window_days": days, "first_at": min(r.created_at for r in members),
        "last_at": max(r.created_at for r in members), "cohesion": round(_cohesion(vectors), 4),
    }  # fmt: skip
    if target is None:
        target = ProblemProposal.objects.create(**fields)
        outcome.proposed.append(target.pk)
    else:
        for name, value in fields.items():
            setattr(target, name, value)
        target.save()
        ProposalTicket.objects.filter(proposal=target).exclude(ticket_id__in=ids).delete()
        outcome.updated.append(target.pk)
    ProposalTicket.objects.bulk_create(
        [ProposalTicket(proposal=target, ticket_id=pk) for pk in ids], ignore_conflicts=True
    )


def problems_detect(
    *,
    now: datetime | None = None,
    days: int | None = None,
    min_size: int | None = None,
    settings_: clustering.Settings | None = None,
    embed_budget: int = EMBED_PER_RUN,
) -> Detection:
    """Cluster the window's tickets and propose the clusters past the threshold (idempotent:
    a second run on the same tickets proposes nothing new)."""
    started = time.perf_counter()
    now = now or timezone.now()
    days = days or window_days()
    min_size = min_size or min_tickets()
    outcome = Detection()
    since = now - timedelta(days=days)
    linked = ProblemTicket.objects.values("ticket_id")
    rows = [
        _Row(*values)
        for values in Ticket.objects.filter(
            created_at__gte=since, created_at__lte=now, merged_into__isnull=True
        )
        .exclude(pk__in=linked)
        .order_by("-id")
        .values_list("pk", "subject", "language", "category_id", "created_at")[:MAX_TICKETS]
    ]
    outcome.tickets = len(rows)
    if len(rows) < min_size:
        outcome.seconds = time.perf_counter() - started
        return outcome
    try:
        vectors, outcome.embedded = _vectors(rows, budget=embed_budget)
    except RuntimeError as exc:  # the encoder is not installed: nothing to cluster with
        logger.warning("problem detection skipped: %s", exc)
        outcome.skipped = str(exc)
        return outcome
    rows = [r for r in rows if r.pk in vectors and vectors[r.pk].any()]
    items = _items([r.pk for r in rows])
    matrix = np.stack([vectors[r.pk] for r in rows]) if rows else np.zeros((0, DIM), dtype=np.float32)
    labels = clustering.cluster(
        matrix, categories=[r.category_id for r in rows], items=[sorted(items.get(r.pk, ())) for r in rows],
        settings=settings_,
    )  # fmt: skip
    groups = clustering.groups_of(labels, min_size=min_size)
    outcome.clusters = len(groups)
    if groups:
        step = max(1, len(rows) // BACKGROUND)
        sample = rows[::step][:BACKGROUND]
        firsts = _first_messages([r.pk for r in sample])
        background = [(f"{r.subject}\n{firsts.get(r.pk, '')}", r.language) for r in sample]
        unit = matrix / np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-9)
        for group in groups:
            _propose(
                members=[rows[i] for i in group], vectors=unit[group], items=items, background=background,
                days=days, outcome=outcome,
            )  # fmt: skip
    outcome.seconds = time.perf_counter() - started
    return outcome


# --- Coaching (item 6) ---------------------------------------------------------------------------


def _recipients(customer: Customer) -> list[User]:
    coordinator = customer.coordinator
    if coordinator is not None and coordinator.is_active:
        return [coordinator]
    return list(User.objects.filter(is_active=True, is_supervisor=True).order_by("pk"))


def _subject_name(suggestion: CoachingSuggestion) -> str:
    if suggestion.problem is not None:
        return str(suggestion.problem)
    category = suggestion.category
    if category is None:
        return ""
    return category.name_fr if (translation.get_language() or "en").startswith("fr") else category.name_en


def _notify(suggestion: CoachingSuggestion) -> int:
    """One bell notification (and one email) per recipient and suggestion."""
    told = 0
    customer = suggestion.customer
    link = CUSTOMER_PATH.format(id=customer.pk)
    for user in _recipients(customer):
        with translation.override(user.language or settings.LANGUAGE_CODE):
            detail = _("%(customer)s: %(subject)s (%(count)s requests)") % {
                "customer": customer.name or f"#{customer.pk}", "subject": _subject_name(suggestion),
                "count": suggestion.count,
            }  # fmt: skip
            subject = _("Coaching suggestion: %(detail)s") % {"detail": detail}
            body = _(
                "This customer wrote %(count)s times in %(days)s days about the same thing. A "
                "short explanation or a training session may help; the articles to send are on "
                "their page:\n%(link)s"
            ) % {
                "count": suggestion.count,
                "days": suggestion.period_days,
                "link": settings.BASE_URL.rstrip("/") + link,
            }
        note = notification_notice(
            recipient=user, kind=Notification.Kind.COACHING, key=f"coaching:{suggestion.pk}", detail=detail,
            link=link,
        )  # fmt: skip
        if note is None:
            continue
        told += 1
        if user.email:
            delivery_enqueue(
                key=f"coaching:{suggestion.pk}:{user.pk}", kind=Delivery.Kind.STAFF_ALERT,
                recipient=user.email, subject=subject, body=body,
            )  # fmt: skip
    return told


def coaching_detect(
    *, now: datetime | None = None, days: int = COACHING_PERIOD_DAYS, minimum: int = COACHING_MIN
) -> list[CoachingSuggestion]:
    """Customers whose tickets of the last ``days`` hit the same category, or the same problem,
    ``minimum`` times: a suggestion for their coordinator (else the supervisors), once per
    customer, subject and period; an open one is kept up to date. Returns the new ones."""
    now = now or timezone.now()
    since = now - timedelta(days=days)
    base = Ticket.objects.filter(created_at__gte=since, created_at__lte=now, merged_into__isnull=True)
    groups: dict[tuple[int, str], list[int]] = {}
    for customer_id, category_id in (
        base.filter(category__isnull=False)
        .values_list("customer_id", "category_id")
        .annotate(n=Count("id"))
        .filter(n__gte=minimum)
        .values_list("customer_id", "category_id")
    ):
        ids = list(
            base.filter(customer_id=customer_id, category_id=category_id)
            .order_by("id")
            .values_list("pk", flat=True)
        )
        groups[(customer_id, f"category:{category_id}")] = ids
    for customer_id, problem_id in (
        ProblemTicket.objects.filter(ticket__in=base)
        .values_list("ticket__customer_id", "problem_id")
        .annotate(n=Count("ticket_id", distinct=True))
        .filter(n__gte=minimum)
        .values_list("ticket__customer_id", "problem_id")
    ):
        ids = sorted(
            set(
                ProblemTicket.objects.filter(
                    problem_id=problem_id, ticket__in=base.filter(customer_id=customer_id)
                ).values_list("ticket_id", flat=True)
            )
        )
        groups[(customer_id, f"problem:{problem_id}")] = ids
    created = []
    for (customer_id, key), ids in sorted(groups.items()):
        with transaction.atomic():
            current = (
                CoachingSuggestion.objects.select_for_update()
                .filter(customer_id=customer_id, key=key, period_start__gt=since)
                .order_by("-period_start")
                .first()
            )
            if current is not None:
                if current.ticket_ids != ids and current.status == CoachingSuggestion.Status.OPEN:
                    current.ticket_ids = ids
                    current.save(update_fields=["ticket_ids", "updated_at"])
                continue
            kind, _sep, ref = key.partition(":")
            customer = Customer.objects.select_related("coordinator").get(pk=customer_id)
            suggestion = CoachingSuggestion.objects.create(
                customer=customer, key=key, ticket_ids=ids, period_start=now, period_days=days,
                category=Category.objects.filter(pk=int(ref)).first() if kind == "category" else None,
                problem=Problem.objects.filter(pk=int(ref)).first() if kind == "problem" else None,
                coordinator=customer.coordinator,
            )  # fmt: skip
            _notify(suggestion)
            created.append(suggestion)
    return created


def problems_job() -> None:
    """The worker's hourly job: detection, then coaching."""
    detection = problems_detect()
    coaching = coaching_detect()
    logger.info(
        "problems: %s tickets, %s clusters, %s proposed, %s updated, %s coaching suggestions",
        detection.tickets, detection.clusters, len(detection.proposed), len(detection.updated), len(coaching),
    )  # fmt: skip
