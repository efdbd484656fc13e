"""Key accounts' own quality figures (issue 12, item 8): the portal's "My quality" page and the
monthly report by email.

A key-account customer (``Customer.is_key_account``) reads the figures of their own tickets only
(``Filters(customer_id=...)``: the tickets whose customer they are, not their organisation's
colleagues'), month by month, with nothing internal (no team, no agent). They may ask for the
report of each past month by email (``QualityReportSubscription``); ``quality_reports_send`` (a
daily job) queues, on or after the 1st, last month's report once per customer and month through
the outbox (idempotency key ``quality-report:<customer>:<YYYY-MM>``), in the customer's language.

The email links to the page rather than carrying a sign-in link: sign-in links live 30 minutes and
lead to "My requests", so a report read the next morning would carry a dead link; the page asks a
signed-out reader for their address and sends a fresh link.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from comptoir.common.exceptions import NotFound
from comptoir.common.queries import ROW_ONLY
from comptoir.customers.models import Customer
from comptoir.outbox.models import Delivery
from comptoir.outbox.services import delivery_enqueue

from .models import QualityReportSubscription
from .selectors import Filters, metrics

MONTHS_SHOWN = 12


def _months_back(month: date, count: int) -> date:
    for _step in range(count):
        month = (month - timedelta(days=1)).replace(day=1)
    return month


def _month_end(month: date) -> date:
    return (month + timedelta(days=32)).replace(day=1) - timedelta(days=1)


def duration_text(minutes: float | None) -> str:
    """``45 min``, ``3 h 20 min``, ``2 d 4 h``, in the active language; a dash for none."""
    if minutes is None:
        return "—"
    total = round(minutes)
    if total < 60:
        return _("%(minutes)s min") % {"minutes": total}
    hours, rest = divmod(total, 60)
    if hours < 24:
        return _("%(hours)s h %(minutes)s min") % {"hours": hours, "minutes": f"{rest:02d}"}
    days, hours = divmod(hours, 24)
    return _("%(days)s d %(hours)s h") % {"days": days, "hours": hours}


def number_text(value: float, digits: int = 1) -> str:
    """A number in the active language's format, without a needless ``.0`` (``50``, ``97,5``)."""
    rounded = round(value, digits)
    shown: float | int = int(rounded) if float(rounded).is_integer() else rounded
    return str(formats.number_format(shown, use_l10n=True))


def percent_text(share: float | None) -> str:
    return "—" if share is None else _("%(value)s %%") % {"value": number_text(share * 100)}


def average_text(value: float | None) -> str:
    return "—" if value is None else number_text(value)


@dataclass(frozen=True)
class QualityRow:
    """One line of a customer's table (a month, or the whole period), ready to show."""

    month: date | None
    created: int
    resolved: int
    first_response: str
    resolution_median: str
    resolution_p90: str
    first_response_sla: str
    resolution_sla: str
    csat: str
    csat_answers: int


def _row(month: date | None, figures: dict) -> QualityRow:
    return QualityRow(
        month=month,
        created=figures["tickets_created"],
        resolved=figures["tickets_resolved"],
        first_response=duration_text(figures["first_response_minutes"]["median"]),
        resolution_median=duration_text(figures["resolution_minutes"]["median"]),
        resolution_p90=duration_text(figures["resolution_minutes"]["p90"]),
        first_response_sla=percent_text(figures["first_response_sla_met_share"]),
        resolution_sla=percent_text(figures["resolution_sla_met_share"]),
        csat=average_text(figures["csat_average"]),
        csat_answers=figures["csat_answers"],
    )


EMPTY = {
    "tickets_created": 0, "tickets_resolved": 0, "first_response_minutes": {"median": None},
    "resolution_minutes": {"median": None, "p90": None}, "first_response_sla_met_share": None,
    "resolution_sla_met_share": None, "csat_average": None, "csat_answers": 0,
}  # fmt: skip


@dataclass(frozen=True)
class CustomerQuality:
    start: date
    end: date
    total: QualityRow
    months: list[QualityRow]  # oldest first, every month of the period
    open_now: int


def customer_quality(*, customer: Customer, start: date, end: date, now: datetime | None = None
                     ) -> CustomerQuality:  # fmt: skip
    """The figures of this key account's own tickets over ``start``..``end``, month by month."""
    if not customer.is_key_account:
        raise NotFound(_("No such page."))
    result = metrics(Filters(start=start, end=end, customer_id=customer.pk), now=now)
    by_month = {row["month"]: row for row in result["months"]}
    months = []
    month = start.replace(day=1)
    while month <= end:
        months.append(_row(month, by_month.get(month.strftime("%Y-%m"), EMPTY)))
        month = (month + timedelta(days=32)).replace(day=1)
    return CustomerQuality(start=start, end=end, total=_row(None, result), months=months,
                           open_now=result["backlog"])  # fmt: skip


def customer_quality_recent(*, customer: Customer, now: datetime | None = None) -> CustomerQuality:
    """The page's period: this month and the 11 before it."""
    today = timezone.localdate(now or timezone.now())
    start = _months_back(today.replace(day=1), MONTHS_SHOWN - 1)
    return customer_quality(customer=customer, start=start, end=today, now=now)


def quality_report_subscribed(*, customer: Customer) -> bool:
    return QualityReportSubscription.objects.filter(customer_id=customer.pk, active=True).exists()


@transaction.atomic
def quality_report_subscribe(*, customer: Customer, active: bool) -> QualityReportSubscription:
    """The customer asks for (or stops) the monthly report; only key accounts have one."""
    if not customer.is_key_account:
        raise NotFound(_("No such page."))
    subscription, _created = QualityReportSubscription.objects.update_or_create(
        customer_id=customer.pk, defaults={"active": active}
    )
    return subscription


def report_month(today: date) -> date:
    """The month whose report is due on ``today``: the previous one (its first day)."""
    return (today.replace(day=1) - timedelta(days=1)).replace(day=1)


def quality_reports_send(*, now: datetime | None = None) -> int:
    """Queue last month's report for every subscribed key account that has not had it (the daily
    job); returns how many were queued. Safe to run at any time and any number of times."""
    now = now or timezone.now()
    month = report_month(timezone.localdate(now))
    due = QualityReportSubscription.objects.filter(
        active=True, customer__tier=Customer.KEY_TIER, customer__merged_into__isnull=True
    ).exclude(last_month__gte=month)
    sent = 0
    for subscription_id in due.order_by("id").values_list("pk", flat=True):
        if quality_report_send(subscription_id=subscription_id, month=month, now=now) is not None:
            sent += 1
    return sent


@transaction.atomic
def quality_report_send(*, subscription_id: int, month: date, now: datetime | None = None) -> Delivery | None:
    """Queue one customer's report of ``month``, once (the subscription row is the lock, the
    outbox key the guarantee); None when already sent, stopped, or the customer has no email."""
    subscription = (
        QualityReportSubscription.objects.select_for_update(of=ROW_ONLY)
        .select_related("customer")
        .filter(pk=subscription_id, active=True)
        .first()
    )
    if subscription is None or (subscription.last_month is not None and subscription.last_month >= month):
        return None
    customer = subscription.customer
    recipient = customer.email
    if not customer.is_key_account or not recipient:
        return None
    with translation.override(customer.language or settings.LANGUAGE_CODE):
        quality = customer_quality(customer=customer, start=month, end=_month_end(month), now=now)
        month_name = formats.date_format(month, "YEAR_MONTH_FORMAT")
        context = {
            "customer": customer, "month": month_name, "row": quality.total,
            "link": settings.BASE_URL.rstrip("/") + reverse("portal:my_quality"),
        }  # fmt: skip
        subject = _("Your quality report for %(month)s") % {"month": month_name}
        body = render_to_string("insights/email/quality_report.txt", context)
    try:
        with transaction.atomic():
            delivery = delivery_enqueue(
                key=f"quality-report:{customer.pk}:{month:%Y-%m}", kind=Delivery.Kind.QUALITY_REPORT,
                recipient=recipient, subject=subject, body=body, customer_id=customer.pk,
            )  # fmt: skip
    except IntegrityError:  # queued before (a subscription stopped and started again)
        delivery = None
    subscription.last_month = month
    subscription.save(update_fields=["last_month", "updated_at"])
    return delivery
