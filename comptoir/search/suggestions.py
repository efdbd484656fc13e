"""Suggestions on every ticket (issue 11, item 4): the most relevant articles and the most similar
resolved tickets, in the ticket's language first and across languages.

Texts are embedded by ``nlp.embed`` (USE-multilingual: a French ticket lands near the English
resolution of the same problem) in the worker only, never in a request: an article when it is
published or edited, a ticket when it is resolved or closed, a new ticket's query in its
enrichment step, whose result is kept in ``TicketSuggestions`` for the desk and the API to read.

Vectors are stored as float16 (1 KB each). Below ``TRAIN_AT`` vectors of a kind a query reads them
all; from there k-means centroids (``VectorCentroids``) split them into inverted lists
(``SuggestionVector.bucket``) and a query reads only the ``probes`` lists nearest to it: at a
million tickets, a few thousand vectors instead of all. Centroids are retrained when the count
has doubled since training (and by ``comptoir suggestions train``).
"""

from __future__ import annotations

import logging
import math
import re
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone

from comptoir.common.tasks import enqueue_with_change
from comptoir.knowledge.models import Article
from comptoir.knowledge.selectors import article_visible_to
from comptoir.nlp import embed
from comptoir.tickets.changes import AGENT_MESSAGE, Change
from comptoir.tickets.context import HELP_LINK
from comptoir.tickets.models import Message, Ticket, TicketEvent
from comptoir.tickets.selectors import ticket_visible_to

from .models import SentArticle, SuggestionVector, TicketSuggestions, VectorCentroids

logger = logging.getLogger("comptoir.suggestions")

ARTICLE = SuggestionVector.Kind.ARTICLE.value
TICKET = SuggestionVector.Kind.TICKET.value
KINDS = (ARTICLE, TICKET)
DIM = embed.DIM
DONE = (Ticket.Status.RESOLVED, Ticket.Status.CLOSED)

TRAIN_AT = 4000  # vectors of a kind from which centroids are trained; below, a query scans them all
MAX_LISTS = 4096
LIST_SIZE = 500  # vectors per list aimed at: 2,000 lists at a million tickets
DEFAULT_PROBES = 8  # lists read per query: ~4,000 vectors at a million tickets
TRAIN_SAMPLE = 100_000  # at most so many vectors for k-means to learn from (every n-th row)
TRAIN_PER_LIST = 30  # sample vectors per list
TRAIN_EPOCHS = 10  # passes of mini-batch k-means over the sample
CHUNK = 10_000  # rows read at once when reassigning lists or reindexing
SAME_LANGUAGE_BOOST = 0.03  # "same language first at equal relevance"
MIN_SCORE = 0.25  # below: unrelated (USE cosine of unrelated support texts is ~0.0-0.2)
STORED = 10  # kept per kind for a ticket (some may be hidden from a reader)
SHOWN = 5
RESOLUTION_CHARS = 280
LOST_AFTER = timedelta(minutes=2)  # a request for suggestions older than this without a result is redone


@dataclass(frozen=True)
class VectorRow:
    kind: str
    object_id: int
    language: str
    vector: np.ndarray


@dataclass
class Suggested:
    """Ids and scores, best first (cosine similarity, plus the small same-language boost)."""

    articles: list[tuple[int, float]] = field(default_factory=list)
    tickets: list[tuple[int, float]] = field(default_factory=list)


# --- Texts ---------------------------------------------------------------------------------------

_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MD_MARKS = re.compile(r"(^|\s)[#>*\-+]+\s|[*_`~]{1,3}")


def _language(code: str | None) -> str:
    return (code or "")[:2].lower()


def vector_texts_for_ticket(ticket: Ticket) -> str:
    """The problem: the subject and the customer's first message (not the answer, which would
    pull tickets together by their signatures and greetings)."""
    first = (
        Message.objects.filter(ticket_id=ticket.pk, kind=Message.Kind.CUSTOMER, hold=Message.Hold.NONE)
        .order_by("created_at", "id")
        .values_list("body", flat=True)
        .first()
    )
    return _problem_text(ticket.subject, first or "")


def _problem_text(subject: str, body: str) -> str:
    """The subject and the message without its lines of three words or fewer (greetings,
    sign-offs and names, which pull every ticket towards every other), unless that is all it
    has. On the demo's tickets the right article's cosine rises by about 0.04."""
    lines = "\n".join(line for line in body.splitlines() if len(line.split()) > 3) or body
    return f"{subject}\n{lines}".strip()


def vector_texts_for_article(article: Article) -> str:
    """Title and text, Markdown marks taken out (the encoder reads the first 2,000 characters)."""
    body = _MD_MARKS.sub(" ", _MD_LINK.sub(r"\1", article.body or ""))
    return f"{article.title}\n{' '.join(body.split())}".strip()


# --- Storage and the inverted lists --------------------------------------------------------------

_cache_lock = threading.Lock()
_centroid_cache: dict[str, tuple[datetime, np.ndarray]] = {}


def _normalised(matrix: np.ndarray) -> np.ndarray:
    matrix = np.asarray(matrix, dtype=np.float32)
    if matrix.ndim == 1:
        matrix = matrix.reshape(1, -1)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return matrix / norms


def _pack(vector: np.ndarray) -> bytes:
    return _normalised(vector)[0].astype(np.float16).tobytes()


def _unpack(blobs: Sequence[Any]) -> np.ndarray:
    if not blobs:
        return np.zeros((0, DIM), dtype=np.float32)
    raw = b"".join(bytes(b) for b in blobs)
    return np.frombuffer(raw, dtype=np.float16).reshape(-1, DIM).astype(np.float32)


def _centroids(kind: str) -> np.ndarray | None:
    """This kind's centroids (unit rows), cached per process and reloaded when retrained."""
    trained_at = VectorCentroids.objects.filter(kind=kind).values_list("trained_at", flat=True).first()
    if trained_at is None:
        return None
    with _cache_lock:
        cached = _centroid_cache.get(kind)
    if cached is not None and cached[0] == trained_at:
        return cached[1]
    blob = VectorCentroids.objects.filter(kind=kind).values_list("centroids", flat=True).first()
    if blob is None:
        return None
    matrix = np.frombuffer(bytes(blob), dtype=np.float32).reshape(-1, DIM)
    with _cache_lock:
        _centroid_cache[kind] = (trained_at, matrix)
    return matrix


def _buckets(centroids: np.ndarray | None, vectors: np.ndarray) -> np.ndarray:
    if centroids is None or not len(vectors):
        return np.zeros(len(vectors), dtype=np.int64)
    return np.argmax(vectors @ centroids.T, axis=1)


def vectors_store(rows: list[VectorRow]) -> None:
    """Insert or replace vectors (one upsert per thousand rows), each in the list of its nearest
    centroid. Vectors are L2-normalised here."""
    by_kind: dict[str, list[VectorRow]] = {}
    for row in rows:
        by_kind.setdefault(row.kind, []).append(row)
    for kind, kind_rows in by_kind.items():
        matrix = _normalised(np.stack([r.vector for r in kind_rows]))
        buckets = _buckets(_centroids(kind), matrix)
        objs = [
            SuggestionVector(
                kind=kind,
                object_id=r.object_id,
                language=_language(r.language),
                bucket=int(b),
                vector=matrix[i].astype(np.float16).tobytes(),
            )  # fmt: skip
            for i, (r, b) in enumerate(zip(kind_rows, buckets, strict=True))
        ]
        SuggestionVector.objects.bulk_create(
            objs,
            batch_size=500,
            update_conflicts=True,
            unique_fields=["kind", "object_id"],
            update_fields=["language", "bucket", "vector", "updated_at"],
        )


def _vector_delete(kind: str, object_id: int) -> None:
    SuggestionVector.objects.filter(kind=kind, object_id=object_id).delete()


def _ticket_indexable(ticket_id: int) -> Ticket | None:
    """A resolved or closed ticket (not merged away) that has an answer the customer received."""
    ticket = (
        Ticket.objects.filter(pk=ticket_id, status__in=DONE, merged_into__isnull=True)
        .only("id", "subject", "language", "status")
        .first()
    )
    if ticket is None or not _sent_replies().filter(ticket_id=ticket_id).exists():
        return None
    return ticket


def vector_index_ticket(ticket_id: int) -> bool:
    """Embed a resolved ticket's problem and store it (or take it out once it is not resolved)."""
    ticket = _ticket_indexable(ticket_id)
    if ticket is None:
        return _vector_put(TICKET, ticket_id, "", "")
    return _vector_put(TICKET, ticket_id, ticket.language, vector_texts_for_ticket(ticket))


def vector_index_article(article_id: int) -> bool:
    """Embed a published article (internal or public: visibility applies when read), or take a
    draft or deleted one out."""
    article = Article.objects.filter(pk=article_id, status=Article.Status.PUBLISHED).first()
    if article is None:
        return _vector_put(ARTICLE, article_id, "", "")
    return _vector_put(ARTICLE, article_id, article.language, vector_texts_for_article(article))


def _vector_put(kind: str, object_id: int, language: str, text: str) -> bool:
    """Store the text's vector, or take the object out when it has no text (or no vector)."""
    vector = embed.encode([text])[0] if text else None
    if vector is None or not vector.any():
        _vector_delete(kind, object_id)
        return False
    vectors_store([VectorRow(kind, object_id, language, vector)])
    _train_if_grown(kind)
    return True


def _train_if_grown(kind: str) -> None:
    """Train the first centroids at ``TRAIN_AT`` vectors, and again each time the count doubles."""
    trained = VectorCentroids.objects.filter(kind=kind).values_list("count", flat=True).first()
    count = SuggestionVector.objects.filter(kind=kind).count()
    if (trained is None and count >= TRAIN_AT) or (trained is not None and count >= 2 * max(trained, 1)):
        vectors_train(kind)


def _chunks(kind: str, columns: tuple[str, ...] = ("pk", "vector")) -> Iterator[list[tuple[Any, ...]]]:
    """Every vector of a kind, ``CHUNK`` rows at a time (keyset on the unique (kind, object_id)
    index, which gives the order without sorting; constant memory). Rows end with object_id."""
    last = -1
    while True:
        page = SuggestionVector.objects.filter(kind=kind, object_id__gt=last).order_by("object_id")
        rows = list(page.values_list(*columns, "object_id")[:CHUNK])
        if not rows:
            return
        yield rows
        last = rows[-1][-1]


def _lists_for(count: int) -> int:
    return max(1, min(MAX_LISTS, round(count / LIST_SIZE), round(math.sqrt(count) * 4)))


def vectors_train(kind: str, *, lists: int | None = None) -> int:
    """(Re)train a kind's centroids with k-means on a sample and put every vector in the list of
    its nearest centroid; returns the number of lists (0: too few vectors, every query scans).

    One transaction: a query never sees new centroids with vectors still in the old lists.
    """
    from sklearn.cluster import MiniBatchKMeans

    count = SuggestionVector.objects.filter(kind=kind).count()
    if lists is None:
        lists = _lists_for(count) if count >= TRAIN_AT else 0
    lists = min(lists, count)
    if lists < 2:
        with transaction.atomic():
            VectorCentroids.objects.filter(kind=kind).delete()
            SuggestionVector.objects.filter(kind=kind).exclude(bucket=0).update(bucket=0)
        return 0
    step = max(1, count // min(TRAIN_SAMPLE, max(TRAIN_PER_LIST * lists, 10_000)))
    sample = []
    for rows in _chunks(kind):
        picked = rows[::step]
        sample.append(_unpack([r[1] for r in picked]))
    data = np.concatenate(sample) if sample else np.zeros((0, DIM), dtype=np.float32)
    # Random seeds, as faiss does: k-means++ seeding cost 57 of 74 s at 400 lists.
    kmeans = MiniBatchKMeans(
        n_clusters=lists, init="random", batch_size=max(2048, 2 * lists), n_init=1,
        max_iter=TRAIN_EPOCHS, random_state=0,
    )  # fmt: skip
    kmeans.fit(data)
    centroids = _normalised(kmeans.cluster_centers_)
    with transaction.atomic():
        VectorCentroids.objects.update_or_create(
            kind=kind,
            defaults={"lists": lists, "centroids": centroids.astype(np.float32).tobytes(), "count": count},
        )
        for rows in _chunks(kind, ("pk", "vector", "bucket")):
            buckets = _buckets(centroids, _unpack([r[1] for r in rows]))
            moved = [(int(b), r[0]) for r, b in zip(rows, buckets, strict=True) if r[2] != int(b)]
            _buckets_write(moved)
    with _cache_lock:
        _centroid_cache.pop(kind, None)
    return lists


def _buckets_write(moved: list[tuple[int, int]]) -> None:
    """Set (bucket, id) pairs with one prepared statement: ``bulk_update``'s CASE expressions
    cost two thirds of a retraining at 200,000 vectors."""
    if not moved:
        return
    qn = connection.ops.quote_name
    sql = f"UPDATE {qn(SuggestionVector._meta.db_table)} SET {qn('bucket')} = %s WHERE {qn('id')} = %s"  # noqa: S608 - names only
    with connection.cursor() as cursor:
        cursor.executemany(sql, moved)


# --- Retrieval -----------------------------------------------------------------------------------


def _nearest(
    kind: str,
    query: np.ndarray,
    language: str,
    *,
    limit: int,
    probes: int | None,
    exclude: int | None = None,
    min_score: float = 0.0,
) -> list[tuple[int, float]]:
    rows_qs = SuggestionVector.objects.filter(kind=kind)
    centroids = _centroids(kind)
    if centroids is not None:
        nearest_lists = np.argsort(-(centroids @ query))[: max(1, probes or DEFAULT_PROBES)]
        rows_qs = rows_qs.filter(bucket__in=[int(b) for b in nearest_lists])
    rows = [r for r in rows_qs.values_list("object_id", "language", "vector") if r[0] != exclude]
    if not rows:
        return []
    scores = _unpack([r[2] for r in rows]) @ query
    same = np.fromiter((r[1] == language for r in rows), dtype=bool, count=len(rows))
    ranked = scores + SAME_LANGUAGE_BOOST * same
    top = np.argsort(-ranked, kind="stable")[:limit]
    return [
        (int(rows[i][0]), round(min(1.0, float(ranked[i])), 4)) for i in top if float(scores[i]) >= min_score
    ]


def suggest_vector(
    *,
    vector: np.ndarray,
    language: str,
    exclude_ticket_id: int | None = None,
    limit: int = 5,
    probes: int | None = None,
    min_score: float = 0.0,
) -> Suggested:
    """``suggest`` for a text already embedded (batches: the demo, a reindex)."""
    query = _normalised(vector)[0]
    if not query.any():
        return Suggested()
    language = _language(language)
    kw = {"limit": limit, "probes": probes, "min_score": min_score}
    return Suggested(
        articles=_nearest(ARTICLE, query, language, **kw),  # type: ignore[arg-type]
        tickets=_nearest(TICKET, query, language, exclude=exclude_ticket_id, **kw),  # type: ignore[arg-type]
    )


def suggest(
    *,
    text: str,
    language: str,
    exclude_ticket_id: int | None = None,
    limit: int = 5,
    probes: int | None = None,
    min_score: float = 0.0,
) -> Suggested:
    """The articles and resolved tickets nearest to ``text``, best first, every language, the
    text's own a little ahead. No visibility filter: pure retrieval (``ticket_suggestions``
    filters for a reader)."""
    if not text or not text.strip():
        return Suggested()
    return suggest_vector(
        vector=embed.encode([text])[0], language=language, exclude_ticket_id=exclude_ticket_id,
        limit=limit, probes=probes, min_score=min_score,
    )  # fmt: skip


# --- A ticket's suggestions ----------------------------------------------------------------------


def _suggestions_save(ticket_id: int, found: Suggested) -> None:
    TicketSuggestions.objects.update_or_create(
        ticket_id=ticket_id,
        defaults={
            "articles": [[pk, score] for pk, score in found.articles],
            "tickets": [[pk, score] for pk, score in found.tickets],
            "computed_at": timezone.now(),
        },
    )


def ticket_suggestions_compute(ticket_id: int) -> bool:
    """Find and keep a ticket's suggestions (the enrichment step's work, or the desk's request)."""
    ticket = Ticket.objects.filter(pk=ticket_id).only("id", "subject", "language").first()
    if ticket is None:
        return False
    found = suggest(
        text=vector_texts_for_ticket(ticket), language=ticket.language or "", exclude_ticket_id=ticket.pk,
        limit=STORED, min_score=MIN_SCORE,
    )  # fmt: skip
    _suggestions_save(ticket.pk, found)
    return True


def suggestions_enrich(ticket: Ticket, context: dict) -> str:
    """``tickets.changes.enricher`` step: a new ticket's suggestions (kept if already there).
    Says nothing in the history: the card on the ticket is where they show."""
    if not TicketSuggestions.objects.filter(ticket_id=ticket.pk, computed_at__isnull=False).exists():
        ticket_suggestions_compute(ticket.pk)
    return ""


def ticket_suggestions_request(*, ticket: Ticket) -> bool:
    """A ticket opened without suggestions (older than the feature, or its task lost): queue
    their computation for the worker. True when a task was queued."""
    if ticket.analysing:
        return False  # the enrichment is on its way and computes them
    now = timezone.now()
    row = (
        TicketSuggestions.objects.filter(ticket_id=ticket.pk)
        .values_list("computed_at", "requested_at")
        .first()
    )
    if row is not None and (row[0] is not None or (row[1] is not None and row[1] > now - LOST_AFTER)):
        return False
    from .tasks import ticket_suggestions_task

    with transaction.atomic():
        TicketSuggestions.objects.update_or_create(ticket_id=ticket.pk, defaults={"requested_at": now})
        enqueue_with_change(ticket_suggestions_task, ticket_id=ticket.pk)
    return True


def _sent_replies() -> Any:
    """Public replies that reached the customer (not held for approval, not held as unproven)."""
    return Message.objects.filter(kind=Message.Kind.PUBLIC, hold=Message.Hold.NONE, held_for__isnull=True)


def _shorten(text: str, limit: int = RESOLUTION_CHARS) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def help_article_url(article_id: int) -> str:
    """The article's absolute help-centre address, as customer links are built (``BASE_URL``)."""
    return settings.BASE_URL.rstrip("/") + reverse("portal:help_article", kwargs={"article_id": article_id})


def ticket_suggestions(*, actor: Any, ticket: Ticket, limit: int = SHOWN) -> dict[str, Any]:
    """What the desk and the API show: the articles ``actor`` may read (published only) and the
    similar tickets they may see with each one's resolution (its last reply sent, shortened),
    best first. ``ready`` is false (and the lists empty) while not computed. Three queries."""
    row = (
        TicketSuggestions.objects.filter(ticket_id=ticket.pk)
        .values_list("computed_at", "articles", "tickets")
        .first()
    )
    if row is None or row[0] is None:
        return {"ready": False, "computed_at": None, "articles": [], "similar_tickets": []}
    computed_at, article_scores, ticket_scores = row
    articles: list[dict[str, Any]] = []
    if article_scores:
        found = (
            article_visible_to(actor=actor)
            .filter(pk__in=[pk for pk, _s in article_scores], status=Article.Status.PUBLISHED)
            .only("id", "title", "language", "status", "visibility")
            .in_bulk()
        )
        for pk, score in article_scores:
            article = found.get(pk)
            if article is None or len(articles) >= limit:
                continue
            articles.append({
                "id": article.pk, "title": article.title, "language": article.language, "score": score,
                "public": article.is_public, "url": help_article_url(article.pk) if article.is_public else "",
            })  # fmt: skip
    similar: list[dict[str, Any]] = []
    if ticket_scores:
        last_reply = (
            _sent_replies().filter(ticket_id=OuterRef("pk")).order_by("-created_at", "-id").values("body")[:1]
        )
        tickets = (
            ticket_visible_to(actor=actor)
            .filter(pk__in=[pk for pk, _s in ticket_scores])
            .exclude(pk=ticket.pk)
            .only("id", "reference", "subject", "language")
            .annotate(last_reply=Subquery(last_reply))
            .in_bulk()
        )
        for pk, score in ticket_scores:
            t = tickets.get(pk)
            if t is None or len(similar) >= limit:
                continue
            similar.append({
                "reference": t.reference, "subject": t.subject, "language": _language(t.language),
                "resolution": _shorten(t.last_reply or ""), "score": score,
            })  # fmt: skip
    return {"ready": True, "computed_at": computed_at, "articles": articles, "similar_tickets": similar}


# --- Articles sent to customers ------------------------------------------------------------------


def sent_articles_record(*, message_id: int) -> int:
    """Record the help-centre articles linked in a reply that reached the customer; a repeat
    records nothing more. Returns the number of rows written."""
    message = _sent_replies().filter(pk=message_id).values_list("ticket_id", "body", "created_at").first()
    if message is None:
        return 0
    ticket_id, body, _created = message
    ids = list(dict.fromkeys(int(m.group(1)) for m in HELP_LINK.finditer(body or "")))
    if not ids:
        return 0
    existing = set(Article.objects.filter(pk__in=ids).values_list("pk", flat=True))
    now = timezone.now()
    rows = [
        SentArticle(article_id=pk, ticket_id=ticket_id, message_id=message_id, sent_at=now)
        for pk in ids
        if pk in existing
    ]
    already = set(SentArticle.objects.filter(message_id=message_id).values_list("article_id", flat=True))
    rows = [r for r in rows if r.article_id not in already]
    SentArticle.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def sent_articles_on_change(change: Change) -> None:
    """``tickets.changes`` handler (after commit): a reply sent, or a held reply released."""
    for kind in (AGENT_MESSAGE, TicketEvent.Kind.REPLY_APPROVED):
        old_new = change.values.get(kind)
        if old_new and old_new[1]:
            sent_articles_record(message_id=int(old_new[1]))


def sent_articles_for_ticket(*, ticket_id: int) -> list[SentArticle]:
    return list(SentArticle.objects.filter(ticket_id=ticket_id).order_by("sent_at", "id"))


# --- Keeping vectors in step (handlers, called from search.apps) --------------------------------


def vectors_on_status_change(change: Change) -> None:
    """``tickets.changes`` handler (in the change's transaction): a ticket resolved, closed or
    reopened has its vector written or taken out by the worker once the change commits."""
    old, new = change.values.get(TicketEvent.Kind.STATUS, (None, None))
    if old in DONE or new in DONE:
        from .tasks import vector_index_ticket_task

        enqueue_with_change(vector_index_ticket_task, ticket_id=change.ticket_id)


def vectors_on_article_save(sender: type, instance: Article, **kwargs: Any) -> None:
    """``post_save`` of an article (inside the service's transaction): the worker embeds it
    once the edit commits; a draft that never had a vector costs nothing."""
    if instance.status != Article.Status.PUBLISHED and not (
        SuggestionVector.objects.filter(kind=ARTICLE, object_id=instance.pk).exists()
    ):
        return
    from .tasks import vector_index_article_task

    enqueue_with_change(vector_index_article_task, article_id=instance.pk)


def vectors_on_article_delete(sender: type, instance: Article, **kwargs: Any) -> None:
    _vector_delete(ARTICLE, instance.pk)


# --- Bulk: the command and the demo -------------------------------------------------------------


def _batched(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def vectors_reindex(*, batch: int = 256, verbose: bool = False) -> dict[str, int]:
    """Embed every eligible article and ticket again (batch encoding), take out the rest, and
    retrain the centroids where there are enough vectors. For a bulk load or a new model."""
    counts = {}
    article_ids = list(
        Article.objects.filter(status=Article.Status.PUBLISHED).order_by("pk").values_list("pk", flat=True)
    )
    SuggestionVector.objects.filter(kind=ARTICLE).exclude(object_id__in=article_ids).delete()
    done = 0
    for ids in _batched(article_ids, batch):
        articles = list(Article.objects.filter(pk__in=ids).order_by("pk"))
        vectors = embed.encode([vector_texts_for_article(a) for a in articles])
        vectors_store([
            VectorRow(ARTICLE, a.pk, a.language, v) for a, v in zip(articles, vectors, strict=True) if v.any()
        ])  # fmt: skip
        done += len(articles)
    counts["articles"] = done
    eligible = Ticket.objects.filter(status__in=DONE, merged_into__isnull=True).filter(
        Exists(_sent_replies().filter(ticket_id=OuterRef("pk")))
    )
    # Vectors of tickets reopened, merged or deleted since: out.
    stale = SuggestionVector.objects.filter(kind=TICKET).exclude(object_id__in=eligible.values("pk"))
    stale.delete()
    ticket_ids = list(eligible.order_by("pk").values_list("pk", flat=True))
    done = 0
    for ids in _batched(ticket_ids, batch):
        tickets = list(Ticket.objects.filter(pk__in=ids).only("id", "subject", "language").order_by("pk"))
        first = _first_customer_messages([t.pk for t in tickets])
        texts = [_problem_text(t.subject, first.get(t.pk, "")) for t in tickets]
        vectors = embed.encode(texts)
        vectors_store([
            VectorRow(TICKET, t.pk, t.language, v) for t, v in zip(tickets, vectors, strict=True) if v.any()
        ])  # fmt: skip
        done += len(tickets)
        if verbose:
            logger.info("suggestion vectors: %s/%s tickets", done, len(ticket_ids))
    counts["tickets"] = done
    for kind in KINDS:
        vectors_train(kind)
    return counts


def _first_customer_messages(ticket_ids: list[int]) -> dict[int, str]:
    """Each ticket's first customer message, for a batch of tickets: one query."""
    first = (
        Message.objects.filter(ticket_id=OuterRef("pk"), kind=Message.Kind.CUSTOMER, hold=Message.Hold.NONE)
        .order_by("created_at", "id")
        .values("body")[:1]
    )
    rows = Ticket.objects.filter(pk__in=ticket_ids).annotate(first=Subquery(first)).values_list("pk", "first")
    return {pk: body or "" for pk, body in rows}


def suggestions_compute_missing(*, batch: int = 256, recompute: bool = False) -> int:
    """Compute the suggestions of every ticket that has none (batch encoding): after a reindex,
    for data older than the feature (the demo). Returns the number of tickets done."""
    qs = Ticket.objects.all()
    if not recompute:
        computed = TicketSuggestions.objects.filter(computed_at__isnull=False).values("ticket_id")
        qs = qs.exclude(pk__in=computed)
    ids = list(qs.order_by("pk").values_list("pk", flat=True))
    for chunk in _batched(ids, batch):
        tickets = list(Ticket.objects.filter(pk__in=chunk).only("id", "subject", "language").order_by("pk"))
        first = _first_customer_messages([t.pk for t in tickets])
        vectors = embed.encode([_problem_text(t.subject, first.get(t.pk, "")) for t in tickets])
        with transaction.atomic():
            for t, v in zip(tickets, vectors, strict=True):
                found = suggest_vector(
                    vector=v, language=t.language or "", exclude_ticket_id=t.pk,
                    limit=STORED, min_score=MIN_SCORE,
                )  # fmt: skip
                _suggestions_save(t.pk, found)
    return len(ids)
