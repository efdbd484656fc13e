"""The analysis of a new ticket that intake leaves to the worker, after its commit.

Intake answers the customer with what it can decide at once (language, the administrators'
rules, the default team, the SLA clocks); the ticket is in a team's queue from that instant and
shows "being analysed" (``Ticket.analysing``) until the steps registered with
``changes.enricher`` have run: the classifier's category and team where no rule decided,
auto-assignment, key-account alerts, and what later capabilities add. Each step is idempotent
and keeps to its own short transactions (a model never runs while the database is locked); the
outcome and duration land in the ticket's history. A task lost on the way (a worker killed, a
queue emptied) is found by ``enrichment_sweep``.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from comptoir.common.tasks import enqueue_with_change

from .changes import enrichers
from .models import Ticket, TicketEvent

logger = logging.getLogger("comptoir.enrichment")

LOST_AFTER = timedelta(minutes=2)  # a ticket analysing for longer lost its task: the sweep redoes it


def enrichment_queue(*, ticket: Ticket, context: dict) -> None:
    """Queue the analysis of ``ticket`` with intake's transaction (``context``: what intake decided)."""
    from .tasks import ticket_enrich_task

    enqueue_with_change(ticket_enrich_task, ticket_id=ticket.pk, context=context, inline_if_immediate=True)


def ticket_enrich(*, ticket_id: int, context: dict | None = None) -> bool:
    """Run the registered steps on a ticket still being analysed; False when there is nothing to do.

    A repeat (the task delivered twice, the sweep's copy) finds ``analysing`` off and stops; two
    runs at the same instant are harmless because every step only fills what is still empty.
    """
    ticket = Ticket.objects.select_related("customer", "team", "category").filter(pk=ticket_id).first()
    if ticket is None or not ticket.analysing:
        return False
    started = time.perf_counter()
    outcomes = []
    for name, step in enrichers():
        try:
            line = step(ticket, context or {})
        except Exception:  # one failing step must not keep the others, or the flag, from running
            logger.exception("enrichment step %s failed on ticket %s", name, ticket_id)
            line = f"failed={name}"
        if line:
            outcomes.append(line)
    elapsed_ms = round((time.perf_counter() - started) * 1000)
    summary = "; ".join([*outcomes, f"duration={elapsed_ms}"])  # tickets.history words it
    with transaction.atomic():
        if not Ticket.objects.filter(pk=ticket_id, analysing=True).update(analysing=False):
            return False  # another run finished first; its event is the one kept
        TicketEvent.objects.create(
            ticket_id=ticket_id,
            field=TicketEvent.Kind.ENRICHMENT,
            old="",
            new=summary[:2000],
        )
    return True


def enrichment_sweep(*, now: datetime | None = None, limit: int = 200) -> int:
    """Analyse the tickets whose task was lost (still analysing after ``LOST_AFTER``)."""
    cutoff = (now or timezone.now()) - LOST_AFTER
    ids = list(
        Ticket.objects.filter(analysing=True, created_at__lt=cutoff)
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    done = 0
    for ticket_id in ids:
        try:
            done += ticket_enrich(ticket_id=ticket_id)
        except Exception:
            logger.exception("enrichment sweep failed on ticket %s", ticket_id)
    if done:
        logger.warning("%s ticket(s) analysed by the sweep: their enrichment task was lost", done)
    return done
