"""Incident reads: the desk's and the API's (agents), and the public status page's (anyone)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.accounts.models import User
from comptoir.common.exceptions import NotFound
from comptoir.tickets.models import Message, Ticket
from comptoir.tickets.selectors import ticket_visible_to

from .matching import Match, incident_stems, ticket_match
from .models import Incident, IncidentTicket, IncidentUpdate, Service, ServiceSubscription
from .services import incident_may_manage

RECENTLY_RESOLVED = timedelta(days=7)  # how long a resolved incident stays on the status page
SUGGEST_HOURS = 24
SUGGEST_CANDIDATES = 500  # newest open tickets of the window looked at


def _agents_only(actor: User) -> None:
    if not incident_may_manage(actor):
        raise NotFound(_("No such incident."))


def service_list() -> list[Service]:
    return list(Service.objects.order_by("slug"))


def incident_list(*, actor: User, state: str = "open", limit: int = 200) -> list[Incident]:
    """Open incidents (``open``), resolved ones (``resolved``) or all, newest first, with their
    number of linked tickets."""
    _agents_only(actor)
    qs = Incident.objects.select_related("service").annotate(ticket_count=Count("links"))
    if state == "open":
        qs = qs.filter(status__in=Incident.OPEN_STATUSES)
    elif state == "resolved":
        qs = qs.filter(status=Incident.Status.RESOLVED)
    return list(qs.order_by("-id")[:limit])


def incident_get(*, actor: User, incident_id: int) -> Incident:
    _agents_only(actor)
    incident = (
        Incident.objects.select_related("service", "declared_by", "source_ticket")
        .filter(pk=incident_id)
        .first()
    )
    if incident is None:
        raise NotFound(_("No such incident."))
    return incident


def incident_links(*, incident: Incident) -> list[IncidentTicket]:
    return list(
        IncidentTicket.objects.filter(incident=incident)
        .select_related("ticket", "ticket__customer", "linked_by")
        .order_by("-id")
    )


def incident_updates(*, incident: Incident) -> list[IncidentUpdate]:
    return list(IncidentUpdate.objects.filter(incident=incident).select_related("created_by").order_by("-id"))


def incident_update_get(*, actor: User, incident_id: int, update_id: int) -> IncidentUpdate:
    _agents_only(actor)
    update = (
        IncidentUpdate.objects.select_related("incident")
        .filter(pk=update_id, incident_id=incident_id)
        .first()
    )
    if update is None:
        raise NotFound(_("No such update."))
    return update


def incidents_for_ticket(*, ticket_id: int) -> list[Incident]:
    """The incidents a ticket is linked to, open ones first (the desk's ticket page)."""
    return sorted(
        Incident.objects.filter(links__ticket_id=ticket_id).select_related("service").order_by("-id"),
        key=lambda i: not i.is_open,
    )


# --- Suggestions ---------------------------------------------------------------------------------


@dataclass
class Suggestion:
    ticket: Ticket
    match: Match

    @property
    def reasons(self) -> list[tuple[str, str]]:
        """(code, sentence in the reader's language) for each reason, strongest first."""
        return match_reasons(self.match)


def match_reasons(match: Match) -> list[tuple[str, str]]:
    reasons = []
    if match.category:
        reasons.append(("category", _("same category as the affected service")))
    if match.keywords:
        reasons.append(("service", _("names the service: %(words)s") % {"words": ", ".join(match.keywords)}))
    if match.area:
        reasons.append(("area", _("in the affected area")))
    if match.subscriber:
        reasons.append(("subscriber", _("the customer subscribes to the affected service")))
    if match.shared:
        reasons.append(("text", _("similar words: %(words)s") % {"words": ", ".join(match.shared)}))
    return reasons


def _first_messages(ticket_ids: list[int]) -> dict[int, str]:
    firsts: dict[int, str] = {}
    rows = (
        Message.objects.filter(ticket_id__in=ticket_ids, kind=Message.Kind.CUSTOMER, hold=Message.Hold.NONE)
        .order_by("ticket_id", "id")
        .values_list("ticket_id", "body")
    )
    for ticket_id, body in rows:
        firsts.setdefault(ticket_id, body[:2000])
    return firsts


def incident_suggested_tickets(
    *,
    actor: User,
    incident: Incident,
    hours: int = SUGGEST_HOURS,
    limit: int = 30,
    now: datetime | None = None,
) -> list[Suggestion]:
    """Open tickets of the last ``hours`` not linked yet that look like part of the incident
    (same category or service words, same area, a subscriber, or similar words), best first,
    each with why. Lexical: nothing is embedded in a request."""
    _agents_only(actor)
    since = (now or timezone.now()) - timedelta(hours=hours)
    linked = IncidentTicket.objects.filter(incident=incident).values("ticket_id")
    candidates = list(
        ticket_visible_to(actor=actor)
        .filter(is_open=True, created_at__gte=since, merged_into__isnull=True)
        .exclude(pk__in=linked)
        .select_related("customer")
        .order_by("-id")[:SUGGEST_CANDIDATES]
    )
    if not candidates:
        return []
    firsts = _first_messages([t.pk for t in candidates])
    subscribers: set[int] = set()
    if incident.service_id is not None:
        subscribers = set(
            ServiceSubscription.objects.filter(
                service_id=incident.service_id, customer_id__in={t.customer_id for t in candidates}
            ).values_list("customer_id", flat=True)
        )
    known = incident_stems(incident)
    found = []
    for ticket in candidates:
        match = ticket_match(
            incident, text=f"{ticket.subject}\n{firsts.get(ticket.pk, '')}", category_id=ticket.category_id,
            customer_area=ticket.customer.area, subscriber=ticket.customer_id in subscribers,
            known_stems=known,
        )  # fmt: skip
        if match.any():
            found.append(Suggestion(ticket=ticket, match=match))
    found.sort(key=lambda s: (-s.match.score, -s.ticket.pk))
    return found[:limit]


# --- The public status page ----------------------------------------------------------------------


@dataclass(frozen=True)
class PublicUpdate:
    created_at: datetime
    status: str
    body: str


@dataclass(frozen=True)
class PublicIncident:
    """What anyone may read of an incident: no agent, no ticket, no customer."""

    reference: str
    title: str
    service: str
    area: str
    impact: str
    impact_code: str
    status: str
    status_code: str
    workaround: str
    next_update_at: datetime | None
    created_at: datetime
    resolved_at: datetime | None
    updates: list[PublicUpdate] = field(default_factory=list)


def _public(incident: Incident, language: str) -> PublicIncident:
    return PublicIncident(
        reference=incident.reference,
        title=incident.title,
        service=(
            (incident.service.name_fr if language == "fr" else incident.service.name_en)
            if incident.service
            else ""
        ),
        area=incident.area,
        impact=str(incident.get_impact_display()),
        impact_code=incident.impact,
        status=str(incident.get_status_display()),
        status_code=incident.status,
        workaround=incident.workaround_in(language) if incident.is_open else "",
        next_update_at=incident.next_update_at if incident.is_open else None,
        created_at=incident.created_at,
        resolved_at=incident.resolved_at,
        updates=[
            PublicUpdate(
                created_at=u.created_at, status=str(Incident.Status(u.status).label), body=u.body_in(language)
            )
            for u in incident.updates.all()
        ],
    )


def _public_qs() -> QuerySet[Incident]:
    return Incident.objects.select_related("service").prefetch_related(
        Prefetch("updates", queryset=IncidentUpdate.objects.order_by("-id"))
    )


def incidents_public(
    *, language: str, now: datetime | None = None
) -> tuple[list[PublicIncident], list[PublicIncident]]:
    """(open incidents, incidents resolved in the last ``RECENTLY_RESOLVED``), newest first, as
    the public may read them, in ``language``."""
    lang = "fr" if language.startswith("fr") else "en"
    since = (now or timezone.now()) - RECENTLY_RESOLVED
    current = _public_qs().filter(status__in=Incident.OPEN_STATUSES).order_by("-id")[:50]
    resolved = (
        _public_qs()
        .filter(status=Incident.Status.RESOLVED, resolved_at__gte=since)
        .order_by("-resolved_at")[:50]
    )
    return [_public(i, lang) for i in current], [_public(i, lang) for i in resolved]


def incidents_public_for_ticket(*, ticket_id: int, language: str) -> list[PublicIncident]:
    """The incidents a customer's request is part of, for its tracking page."""
    lang = "fr" if language.startswith("fr") else "en"
    return [_public(i, lang) for i in _public_qs().filter(links__ticket_id=ticket_id).order_by("-id")]


def customer_services(*, customer_id: int) -> list[tuple[Service, bool]]:
    """Every service, and whether this customer follows it (the desk's customer page)."""
    from .models import ServiceSubscription

    followed = set(
        ServiceSubscription.objects.filter(customer_id=customer_id).values_list("service_id", flat=True)
    )
    return [(service, service.pk in followed) for service in service_list()]
