"""Keeping the search index current: in the transaction of each change, and rebuilt on demand."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.apps import apps as django_apps
from django.db import connection, transaction

from comptoir.customers.models import Customer, CustomerMerge, Identity
from comptoir.knowledge.markdown import markdown_text
from comptoir.knowledge.models import Article
from comptoir.tickets.changes import Change
from comptoir.tickets.models import Message, Ticket

from .models import ArticleDocument, CustomerDocument, TicketDocument
from .text import digits_only, normalise

logger = logging.getLogger("comptoir.search")

# Changes that only move fields no document holds: nothing to index. Any other kind (created,
# a message, a merge, kinds added later) and a bare touch re-index the ticket.
FIELD_ONLY_KINDS = frozenset(
    {
        "status", "priority", "team", "assignee", "category", "attachment", "configuration_item",
        "linked_to", "customer", "level", "escalation", "sla_warning", "sla_breach",
        "triage", "pick", "next", "skip", "enrichment",
    }
)  # fmt: skip


def _is_public(kind: str, hold: str, held_for_id: int | None) -> bool:
    """What the customer reads: their own words and replies sent to them (not notes, not held)."""
    return kind != "internal" and not hold and held_for_id is None


def ticket_document(
    *,
    ticket_id: int,
    reference: str,
    subject: str,
    language: str,
    messages: Iterable[tuple[str, str, Any, str]],
) -> tuple[str, str, str]:
    """A ticket's document (subject, body, internal) from its values; ``messages``: (kind, hold,
    held_for_id, body)."""
    public: list[str] = []
    internal: list[str] = []
    for kind, hold, held_for_id, body in messages:
        (public if _is_public(kind, hold, held_for_id) else internal).append(normalise(body, language))
    head = f"{normalise(subject, language)} {normalise(reference, 'en')} {ticket_id}"
    return head, "\n".join(public), "\n".join(internal)


# Each ticket change that adds text (every inbound message) re-reads the ticket's messages and
# writes its document: three statements written as SQL, because the ORM took ten times what
# the database takes to build and compile them. The table and column names are the models'.
_MESSAGES = (
    "SELECT m.kind, m.hold, m.held_for_id, m.body, t.reference, t.subject, t.language, t.customer_id"  # noqa: S608
    f" FROM {Message._meta.db_table} m JOIN {Ticket._meta.db_table} t ON t.id = m.ticket_id"
    " WHERE m.ticket_id = %s ORDER BY m.created_at, m.id"
)
_TICKET_DOC = TicketDocument._meta.db_table
_TICKET_DOC_INSERT = f"INSERT INTO {_TICKET_DOC} (ticket_id, subject, body, internal) VALUES (%s, %s, %s, %s)"  # noqa: S608
_TICKET_DOC_UPDATE = f"UPDATE {_TICKET_DOC} SET subject = %s, body = %s, internal = %s WHERE ticket_id = %s"  # noqa: S608


def ticket_index(*, ticket_id: int, new: bool = False) -> int | None:
    """(Re)write one ticket's document; call inside the transaction that changed the ticket.
    Returns the ticket's customer id (None: no such ticket). ``new``: the ticket was created in
    this transaction, so it has no document yet (one insert, no update tried first)."""
    # The messages with their ticket's columns: one statement (every ticket has a message; the
    # ticket row alone is read only when none is found).
    with connection.cursor() as cursor:
        cursor.execute(_MESSAGES, [ticket_id])
        rows = cursor.fetchall()
    if rows:
        head = rows[0][4:]
    else:
        head = (
            Ticket.objects.filter(pk=ticket_id)
            .values_list("reference", "subject", "language", "customer_id")
            .first()
        )
    if head is None:
        TicketDocument.objects.filter(pk=ticket_id).delete()
        return None
    subject, body, internal = ticket_document(
        ticket_id=ticket_id, reference=head[0], subject=head[1], language=head[2],
        messages=(row[:4] for row in rows),
    )  # fmt: skip
    _ticket_document_write(ticket_id=ticket_id, new=new, subject=subject, body=body, internal=internal)
    return int(head[3])


def _ticket_document_write(*, ticket_id: int, new: bool, subject: str, body: str, internal: str) -> None:
    with connection.cursor() as cursor:
        if not new:
            cursor.execute(_TICKET_DOC_UPDATE, [subject, body, internal, ticket_id])
            if cursor.rowcount:
                return
        cursor.execute(_TICKET_DOC_INSERT, [ticket_id, subject, body, internal])


def ticket_index_on_change(change: Change) -> None:
    """``tickets.changes`` handler (in the change's transaction)."""
    if change.kinds and change.kinds <= FIELD_ONLY_KINDS:
        return
    if change.ticket is not None and change.message is not None and "created" in change.kinds:
        # A new ticket: its document from the row and first message just written (no reads).
        # A new customer's document is written by ``customer_created``; an existing one's
        # follows its identities' signals.
        ticket, message = change.ticket, change.message
        first = (message.kind, message.hold, message.held_for_id, message.body)
        subject, body, internal = ticket_document(
            ticket_id=ticket.pk, reference=ticket.reference, subject=ticket.subject,
            language=ticket.language, messages=[first],
        )  # fmt: skip
        _ticket_document_write(ticket_id=ticket.pk, new=True, subject=subject, body=body, internal=internal)
        return
    ticket_index(ticket_id=change.ticket_id, new="created" in change.kinds)


def customer_document(
    *, customer_id: int, name: str, language: str, identities: Iterable[tuple[str, str]]
) -> CustomerDocument:
    values = []
    for kind, value in identities:
        values.append(normalise(value, "en"))
        if kind in ("phone", "account"):
            digits = digits_only(value)
            if digits:
                values.append(digits + (f" {digits[-10:]}" if len(digits) > 10 else ""))
    return CustomerDocument(
        customer_id=customer_id, name=normalise(name, language), identities=" ".join(values)
    )


def customer_index(*, customer_id: int) -> None:
    """(Re)write one customer's document; a merged record is taken out (its target is found)."""
    row = Customer.objects.filter(pk=customer_id).values_list("name", "language", "merged_into_id").first()
    if row is None or row[2] is not None:
        CustomerDocument.objects.filter(pk=customer_id).delete()
        return
    identities = Identity.objects.filter(customer_id=customer_id).order_by("id").values_list("kind", "value")
    doc = customer_document(customer_id=customer_id, name=row[0], language=row[1], identities=identities)
    if not CustomerDocument.objects.filter(pk=customer_id).update(name=doc.name, identities=doc.identities):
        doc.save(force_insert=True)


def customer_index_on_create(
    sender: type, customer: Customer, identities: list[tuple[str, str]], **kwargs: Any
) -> None:
    """``customers.services.customer_created``: a new customer's document, written once, whole
    (as SQL, like the ticket's: one statement for each message that brings a new customer)."""
    doc = customer_document(
        customer_id=customer.pk, name=customer.name, language=customer.language, identities=identities
    )
    with connection.cursor() as cursor:
        cursor.execute(_CUSTOMER_DOC_INSERT, [doc.customer_id, doc.name, doc.identities])


_CUSTOMER_DOC_INSERT = (
    f"INSERT INTO {CustomerDocument._meta.db_table} (customer_id, name, identities) VALUES (%s, %s, %s)"  # noqa: S608
)


def customer_index_on_save(sender: type, instance: Customer, **kwargs: Any) -> None:
    if kwargs.get("created"):
        # A new record has no identities yet (each one indexes it again as it is added): its
        # document is written from the instance, one insert instead of two reads and two writes.
        customer_document(
            customer_id=instance.pk, name=instance.name, language=instance.language, identities=()
        ).save(force_insert=True)
        return
    customer_index(customer_id=instance.pk)


def identity_index_on_save(sender: type, instance: Identity, **kwargs: Any) -> None:
    customer_index(customer_id=instance.customer_id)


def merge_index_on_save(sender: type, instance: CustomerMerge, **kwargs: Any) -> None:
    """A merge or its undo moved identities with a bulk update (no signal): both records again."""
    customer_index(customer_id=instance.source_id)
    customer_index(customer_id=instance.target_id)


def article_document(*, article_id: int, title: str, body: str, language: str) -> ArticleDocument:
    """An article's document: its title and the words its Markdown shows, stemmed in its language."""
    return ArticleDocument(
        article_id=article_id, title=normalise(title, language), body=normalise(markdown_text(body), language)
    )


def article_index_on_save(sender: type, instance: Article, **kwargs: Any) -> None:
    """``post_save`` of an article, inside the service's transaction: searchable in the same commit."""
    doc = article_document(
        article_id=instance.pk, title=instance.title, body=instance.body, language=instance.language
    )
    if kwargs.get("created") or not ArticleDocument.objects.filter(pk=instance.pk).update(
        title=doc.title, body=doc.body
    ):
        doc.save(force_insert=True)


def article_reindex(*, batch: int = 500, apps: Any = None) -> int:
    """Rebuild every article's document (``apps``: a migration's historical registry)."""
    get = (apps or django_apps).get_model
    Article, ArticleDocument = get("knowledge", "Article"), get("search", "ArticleDocument")  # noqa: N806
    done, last = 0, 0
    while True:
        rows = list(
            Article.objects.filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", "title", "body", "language")[:batch]
        )
        if not rows:
            return done
        docs = [
            ArticleDocument(article_id=d.article_id, title=d.title, body=d.body)
            for d in (
                article_document(article_id=pk, title=title, body=body, language=lang)
                for pk, title, body, lang in rows
            )
        ]
        with transaction.atomic():
            ArticleDocument.objects.filter(pk__gte=rows[0][0], pk__lte=rows[-1][0]).delete()
            ArticleDocument.objects.bulk_create(docs)
        done += len(docs)
        last = rows[-1][0]


def search_reindex(*, batch: int = 5000, verbose: bool = False, apps: Any = None) -> dict[str, int]:
    """Rebuild every document (existing data, upgrades, bulk loads), one transaction per batch.

    ``apps``: a migration's historical registry (the data migration passes its own)."""
    get = (apps or django_apps).get_model
    models = {
        name: get(app, name)
        for app, name in (
            ("tickets", "Ticket"), ("tickets", "Message"), ("customers", "Customer"),
            ("customers", "Identity"), ("search", "TicketDocument"), ("search", "CustomerDocument"),
        )
    }  # fmt: skip
    # A migration's registry may predate articles (search 0003 runs before 0004 adds them; 0004
    # indexes the articles itself): articles only with the current models.
    with_articles = apps is None
    counts = {
        "tickets": _reindex_tickets(models, batch, verbose),
        "customers": _reindex_customers(models, batch),
        "articles": article_reindex() if with_articles else 0,
    }
    optimise(articles=with_articles)
    return counts


def _reindex_tickets(models: dict[str, Any], batch: int, verbose: bool) -> int:
    Ticket, Message, TicketDocument = models["Ticket"], models["Message"], models["TicketDocument"]  # noqa: N806
    done, last = 0, 0
    while True:
        rows = list(
            Ticket.objects.filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", "reference", "subject", "language")[:batch]
        )
        if not rows:
            return done
        ids = [r[0] for r in rows]
        by_ticket: dict[int, list[tuple[str, str, Any, str]]] = defaultdict(list)
        messages = Message.objects.filter(ticket_id__gte=ids[0], ticket_id__lte=ids[-1]).order_by(
            "ticket_id", "created_at", "id"
        )
        for tid, kind, hold, held_for_id, body in messages.values_list(
            "ticket_id", "kind", "hold", "held_for_id", "body"
        ):
            by_ticket[tid].append((kind, hold, held_for_id, body))
        docs = []
        for pk, ref, subject, lang in rows:
            head, body, internal = ticket_document(
                ticket_id=pk, reference=ref, subject=subject, language=lang, messages=by_ticket[pk]
            )
            docs.append(TicketDocument(ticket_id=pk, subject=head, body=body, internal=internal))
        with transaction.atomic():
            TicketDocument.objects.filter(pk__gte=ids[0], pk__lte=ids[-1]).delete()
            TicketDocument.objects.bulk_create(docs, batch_size=1000)
        done += len(docs)
        last = ids[-1]
        if verbose and done // 100_000 > (done - len(docs)) // 100_000:
            logger.warning("search reindex: %s tickets", done)


def _reindex_customers(models: dict[str, Any], batch: int) -> int:
    Customer, Identity, CustomerDocument = models["Customer"], models["Identity"], models["CustomerDocument"]  # noqa: N806
    done, last = 0, 0
    while True:
        rows = list(
            Customer.objects.filter(pk__gt=last, merged_into__isnull=True)
            .order_by("pk")
            .values_list("pk", "name", "language")[:batch]
        )
        if not rows:
            return done
        ids = [r[0] for r in rows]
        by_customer: dict[int, list[tuple[str, str]]] = defaultdict(list)
        for cid, kind, value in (
            Identity.objects.filter(customer_id__in=ids)
            .order_by("id")
            .values_list("customer_id", "kind", "value")
        ):
            by_customer[cid].append((kind, value))
        docs = [
            CustomerDocument(customer_id=d.customer_id, name=d.name, identities=d.identities)
            for d in (
                customer_document(customer_id=pk, name=name, language=lang, identities=by_customer[pk])
                for pk, name, lang in rows
            )
        ]
        with transaction.atomic():
            CustomerDocument.objects.filter(pk__gte=ids[0], pk__lte=ids[-1]).delete()
            CustomerDocument.objects.bulk_create(docs, batch_size=1000)
        done += len(docs)
        last = ids[-1]


def optimise(*, articles: bool = True) -> None:
    """Merge the FTS5 index segments after a bulk load (PostgreSQL: refresh the planner's stats)."""
    kinds = ("ticket", "customer", "article") if articles else ("ticket", "customer")
    with connection.cursor() as cursor:
        for kind in kinds:
            if connection.vendor == "sqlite":
                table = f"search_{kind}_fts"
                cursor.execute(f"INSERT INTO {table}({table}) VALUES ('optimize')")  # noqa: S608
            elif connection.vendor == "postgresql":
                cursor.execute(f"ANALYZE search_{kind}document")
