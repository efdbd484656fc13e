"""Incident writes (issue 13, items 1 to 3): declare, change, link tickets, publish an update
(with its broadcast) and resolve, with the linked tickets if asked, in one action.

Every ticket touched gets a line in its history through the tickets app's event writer
(``event_record``) or its one door (``ticket_change``, reached through the reply service
``macros.reply_send``); nothing here writes a ticket's columns itself.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.accounts.models import User
from comptoir.common.exceptions import Conflict, DomainError, InvalidInput, NotFound, PermissionDenied
from comptoir.common.queries import ROW_ONLY
from comptoir.macros.services import reply_send
from comptoir.tickets.changes import ticket_changed
from comptoir.tickets.models import Ticket
from comptoir.tickets.selectors import ticket_visible_to
from comptoir.tickets.services import event_record

from .broadcast import broadcast_start
from .history import INCIDENT_LINKED, INCIDENT_RESOLVED
from .models import Incident, IncidentTicket, IncidentUpdate, Service

TITLE_MAX = 200
AREA_MAX = 100
TEXT_MAX = 4000
BODY_MAX = 10_000
LINK_MAX = 200  # references linked in one call

UNSET: Any = object()


def incident_may_manage(actor: User | None) -> bool:
    """Agents (any level) and administrators declare, update and resolve incidents."""
    return bool(actor is not None and actor.is_active and (actor.is_agent or actor.is_superuser))


def _check_actor(actor: User) -> None:
    if not incident_may_manage(actor):
        raise PermissionDenied(_("Only agents can manage incidents."))


def _text(value: str | None, *, field: str, limit: int, required: bool = False) -> str:
    text = (value or "").replace("\x00", "").strip()
    if required and not text:
        raise InvalidInput(_("This field is required."), field=field)
    if len(text) > limit:
        raise InvalidInput(_("This text is too long."), field=field)
    return text


def _service(slug: str | None) -> Service | None:
    if not slug:
        return None
    service = Service.objects.filter(slug=slug).first()
    if service is None:
        raise InvalidInput(_("No service has this name."), field="service")
    return service


def _choice(value: str, choices: type[Incident.Status] | type[Incident.Impact], *, field: str) -> str:
    if value not in choices.values:
        raise InvalidInput(_("Choose a value from the list."), field=field)
    return value


def _locked(incident_id: int) -> Incident:
    incident = Incident.objects.select_for_update(of=ROW_ONLY).filter(pk=incident_id).first()
    if incident is None:
        raise NotFound(_("No such incident."))
    return incident


@transaction.atomic
def incident_declare(
    *,
    actor: User,
    title: str,
    service_slug: str | None = None,
    area: str = "",
    impact: str = Incident.Impact.MAJOR,
    status: str = Incident.Status.INVESTIGATING,
    workaround_fr: str = "",
    workaround_en: str = "",
    next_update_at: datetime | None = None,
    ticket_reference: str = "",
) -> Incident:
    """Declare an incident, from scratch or from a ticket (which is then linked to it)."""
    _check_actor(actor)
    service = _service(service_slug)
    area = _text(area, field="area", limit=AREA_MAX)
    if service is None and not area:
        raise InvalidInput(_("Name the affected service, the affected area, or both."), field="service")
    if status == Incident.Status.RESOLVED:
        raise InvalidInput(_("A new incident cannot be resolved already."), field="status")
    ticket = None
    if ticket_reference.strip():
        ticket = ticket_visible_to(actor=actor).filter(reference=ticket_reference.strip()).first()
        if ticket is None:
            raise InvalidInput(_("No ticket has this reference."), field="ticket")
    incident = Incident.objects.create(
        title=_text(title, field="title", limit=TITLE_MAX, required=True),
        service=service,
        area=area,
        impact=_choice(impact, Incident.Impact, field="impact"),
        status=_choice(status, Incident.Status, field="status"),
        workaround_fr=_text(workaround_fr, field="workaround_fr", limit=TEXT_MAX),
        workaround_en=_text(workaround_en, field="workaround_en", limit=TEXT_MAX),
        next_update_at=next_update_at,
        declared_by=actor,
        source_ticket=ticket,
    )
    if ticket is not None:
        _link(incident=incident, ticket=ticket, actor=actor, how=IncidentTicket.How.MANUAL)
    return incident


@transaction.atomic
def incident_update(
    *,
    actor: User,
    incident_id: int,
    title: str = UNSET,
    service_slug: str | None = UNSET,
    area: str = UNSET,
    impact: str = UNSET,
    status: str = UNSET,
    workaround_fr: str = UNSET,
    workaround_en: str = UNSET,
    next_update_at: datetime | None = UNSET,
) -> Incident:
    """Change what is given (PATCH). Resolving goes through a final update (``incident_resolve``),
    which tells the customers; a resolved incident is no longer changed."""
    _check_actor(actor)
    incident = _locked(incident_id)
    if not incident.is_open:
        raise InvalidInput(_("This incident is resolved; it can no longer be changed."), field="status")
    changed: list[str] = []

    def put(name: str, value: Any) -> None:
        if getattr(incident, name) != value:
            setattr(incident, name, value)
            changed.append(name)

    if title is not UNSET:
        put("title", _text(title, field="title", limit=TITLE_MAX, required=True))
    if service_slug is not UNSET:
        put("service", _service(service_slug))
    if area is not UNSET:
        put("area", _text(area, field="area", limit=AREA_MAX))
    if impact is not UNSET:
        put("impact", _choice(impact, Incident.Impact, field="impact"))
    if status is not UNSET:
        if status == Incident.Status.RESOLVED:
            raise InvalidInput(
                _("Resolve an incident by publishing its final update, so that customers are told."),
                field="status",
            )
        put("status", _choice(status, Incident.Status, field="status"))
    for name, value in (("workaround_fr", workaround_fr), ("workaround_en", workaround_en)):
        if value is not UNSET:
            put(name, _text(value, field=name, limit=TEXT_MAX))
    if next_update_at is not UNSET:
        put("next_update_at", next_update_at)
    if incident.service_id is None and not incident.area:
        raise InvalidInput(_("Name the affected service, the affected area, or both."), field="service")
    if changed:
        incident.save(update_fields=[*changed, "updated_at"])
    return incident


# --- Linking tickets -----------------------------------------------------------------------------


@dataclass
class LinkOutcome:
    linked: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    not_found: list[str] = field(default_factory=list)


def _link(*, incident: Incident, ticket: Ticket, actor: User | None, how: str) -> bool:
    """One link and its line in the ticket's history; False when it existed already."""
    try:
        with transaction.atomic():
            IncidentTicket.objects.create(incident=incident, ticket=ticket, how=how, linked_by=actor)
    except IntegrityError:  # linked meanwhile (the rule and an agent at the same instant)
        return False
    event_record(ticket=ticket, actor=actor, field=INCIDENT_LINKED, old=how, new=incident.pk)
    ticket_changed(
        ticket_id=ticket.pk, kinds=[INCIDENT_LINKED], actor_id=actor.pk if actor else None,
        values={INCIDENT_LINKED: (None, incident.pk)},
    )  # fmt: skip
    return True


@transaction.atomic
def incident_link_tickets(
    *, actor: User, incident_id: int, references: Iterable[str], how: str = IncidentTicket.How.MANUAL
) -> LinkOutcome:
    """Link tickets by reference; each newly linked ticket's history says so. Tickets already
    linked are reported, not linked twice; unknown references are reported, not an error."""
    _check_actor(actor)
    if how not in IncidentTicket.How.values or how == IncidentTicket.How.RULE:
        raise InvalidInput(_("Choose a value from the list."), field="how")
    refs = list(dict.fromkeys(r.strip() for r in references if r and r.strip()))
    if not refs:
        raise InvalidInput(_("Give at least one ticket reference."), field="references")
    if len(refs) > LINK_MAX:
        raise InvalidInput(_("Link at most 200 tickets at once."), field="references")
    incident = _locked(incident_id)
    if not incident.is_open:
        raise InvalidInput(_("This incident is resolved; no ticket can be linked to it any more."))
    tickets = {t.reference: t for t in ticket_visible_to(actor=actor).filter(reference__in=refs)}
    known = set(IncidentTicket.objects.filter(incident=incident).values_list("ticket_id", flat=True))
    outcome = LinkOutcome()
    for ref in refs:
        ticket = tickets.get(ref)
        if ticket is None:
            outcome.not_found.append(ref)
        elif ticket.pk in known or not _link(incident=incident, ticket=ticket, actor=actor, how=how):
            outcome.already.append(ref)
        else:
            outcome.linked.append(ref)
    return outcome


def incident_link_by_rule(*, incident: Incident, ticket: Ticket) -> bool:
    """The enrichment's rule links a new ticket (no actor: "Comptoir" in the history)."""
    with transaction.atomic():
        return _link(incident=incident, ticket=ticket, actor=None, how=IncidentTicket.How.RULE)


# --- Updates, broadcast and resolution -----------------------------------------------------------


@dataclass
class PublishOutcome:
    update: IncidentUpdate
    resolved: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (reference, why)
    replayed: bool = False


def _fingerprint(*parts: Any) -> str:
    return hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()


def incident_publish_update(
    *,
    actor: User,
    incident_id: int,
    body_fr: str,
    body_en: str,
    status: str = "",
    resolve: bool = False,
    resolve_tickets: bool = False,
    idempotency_key: str | None = None,
) -> PublishOutcome:
    """Publish an update written in French and English and start its broadcast.

    ``resolve`` makes it the final update: the incident is resolved and, with
    ``resolve_tickets``, each open linked ticket gets the update as a public reply and is
    resolved, one transaction per ticket, each in its history; a ticket that cannot be resolved
    (the agent's rights) is reported and left as it is. Those customers have the reply, so the
    broadcast leaves them out. ``idempotency_key`` (scoped by the caller) makes a retry return
    the first update; the same key with another request is a ``Conflict``.
    """
    _check_actor(actor)
    fingerprint = _fingerprint(incident_id, body_fr, body_en, status, resolve, resolve_tickets)
    if idempotency_key:
        first = _replayed(idempotency_key, fingerprint)
        if first is not None:
            return PublishOutcome(update=first, replayed=True)
    try:
        update = _update_write(
            actor=actor, incident_id=incident_id, body_fr=body_fr, body_en=body_en, status=status,
            resolve=resolve, resolve_tickets=resolve_tickets, idempotency_key=idempotency_key,
            fingerprint=fingerprint,
        )  # fmt: skip
    except IntegrityError:
        first = _replayed(idempotency_key, fingerprint) if idempotency_key else None
        if first is None:
            raise
        return PublishOutcome(update=first, replayed=True)
    outcome = PublishOutcome(update=update)
    if update.resolves and update.resolve_tickets:
        outcome.resolved, outcome.refused = _resolve_linked(actor=actor, update=update)
        with transaction.atomic():
            update = (
                IncidentUpdate.objects.select_for_update(of=ROW_ONLY)
                .select_related("incident")
                .get(pk=update.pk)
            )
            broadcast_start(update=update)
        outcome.update = update
    return outcome


def _replayed(key: str, fingerprint: str) -> IncidentUpdate | None:
    first = IncidentUpdate.objects.select_related("incident").filter(idempotency_key=key).first()
    if first is not None and first.request_fingerprint != fingerprint:
        raise Conflict(_("This idempotency key was already used for a different request."))
    return first


@transaction.atomic
def _update_write(
    *,
    actor: User,
    incident_id: int,
    body_fr: str,
    body_en: str,
    status: str,
    resolve: bool,
    resolve_tickets: bool,
    idempotency_key: str | None,
    fingerprint: str,
) -> IncidentUpdate:
    incident = _locked(incident_id)
    if not incident.is_open:
        raise InvalidInput(_("This incident is resolved; it takes no more updates."))
    text_fr = _text(body_fr, field="body_fr", limit=BODY_MAX, required=True)
    text_en = _text(body_en, field="body_en", limit=BODY_MAX, required=True)
    if status:
        _choice(status, Incident.Status, field="status")
    resolve = resolve or status == Incident.Status.RESOLVED
    if resolve_tickets and not resolve:
        raise InvalidInput(_("Linked tickets are resolved only with the incident."), field="resolve_tickets")
    new_status = Incident.Status.RESOLVED if resolve else (status or incident.status)
    update = IncidentUpdate.objects.create(
        incident=incident, body_fr=text_fr, body_en=text_en, status=new_status, resolves=resolve,
        resolve_tickets=resolve_tickets, created_by=actor, idempotency_key=idempotency_key or None,
        request_fingerprint=fingerprint if idempotency_key else "",
    )  # fmt: skip
    fields = ["updated_at"]
    if incident.status != new_status:
        incident.status = new_status
        fields.append("status")
    if resolve:
        incident.resolved_at = timezone.now()
        fields.append("resolved_at")
    incident.save(update_fields=fields)
    update.incident = incident
    if not (resolve and resolve_tickets):
        broadcast_start(update=update)
    return update


def _resolve_linked(*, actor: User, update: IncidentUpdate) -> tuple[list[str], list[tuple[str, str]]]:
    """The cascade: each open linked ticket answered with the final update (in the ticket's
    language) and resolved through the reply service, one transaction per ticket."""
    links = list(
        IncidentTicket.objects.filter(
            incident_id=update.incident_id, resolved_by__isnull=True, ticket__is_open=True
        )
        .select_related("ticket")
        .order_by("ticket_id")
    )
    resolved: list[str] = []
    refused: list[tuple[str, str]] = []
    for link in links:
        ticket = link.ticket
        try:
            with transaction.atomic():
                reply_send(
                    ticket_id=ticket.pk, actor=actor, body=update.body_in(ticket.language or "en"),
                    internal=False, then_status=Ticket.Status.RESOLVED,
                )  # fmt: skip
                IncidentTicket.objects.filter(pk=link.pk).update(resolved_by=update)
                event_record(
                    ticket=ticket, actor=actor, field=INCIDENT_RESOLVED, old="", new=update.incident_id
                )
        except DomainError as exc:
            refused.append((ticket.reference, exc.message))
        else:
            resolved.append(ticket.reference)
    return resolved, refused


def incident_resolve(
    *,
    actor: User,
    incident_id: int,
    body_fr: str,
    body_en: str,
    resolve_tickets: bool = False,
    idempotency_key: str | None = None,
) -> PublishOutcome:
    """Resolve the incident with its final update, and its open linked tickets if asked."""
    return incident_publish_update(
        actor=actor, incident_id=incident_id, body_fr=body_fr, body_en=body_en, resolve=True,
        resolve_tickets=resolve_tickets, idempotency_key=idempotency_key,
    )  # fmt: skip


@transaction.atomic
def customer_coverage_set(*, actor: User, customer_id: int, area: str, service_slugs: Iterable[str]) -> None:
    """Where a customer is served and which services they follow: who an incident's broadcast
    reaches before they write (``broadcast.affected_customers``). Each change is in the
    customer's history."""
    from comptoir.customers.models import Customer
    from comptoir.customers.services import customer_event

    from .models import ServiceSubscription

    _check_actor(actor)
    customer = Customer.objects.select_for_update().filter(pk=customer_id).first()
    if customer is None:
        raise NotFound(_("No such customer."))
    area = _text(area, field="area", limit=Customer._meta.get_field("area").max_length or 100)
    wanted = set(service_slugs)
    services = {s.slug: s for s in Service.objects.filter(slug__in=wanted)}
    if wanted - services.keys():
        raise InvalidInput(_("No such service."), field="services")
    label = str(actor)
    if area != customer.area:
        customer_event(
            customer=customer,
            kind="area",
            detail=f"{customer.area or '-'} → {area or '-'}",
            actor_label=label,
        )
        Customer.objects.filter(pk=customer.pk).update(area=area)
    current = set(
        ServiceSubscription.objects.filter(customer=customer).values_list("service__slug", flat=True)
    )
    for slug in sorted(wanted - current):
        ServiceSubscription.objects.create(customer=customer, service=services[slug])
        customer_event(customer=customer, kind="subscribed", detail=slug, actor_label=label)
    for slug in sorted(current - wanted):
        ServiceSubscription.objects.filter(customer=customer, service__slug=slug).delete()
        customer_event(customer=customer, kind="unsubscribed", detail=slug, actor_label=label)
