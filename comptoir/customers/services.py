"""Identify customers from what a channel knows about them, creating them on first contact."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.common.exceptions import InvalidInput
from comptoir.common.ids import is_row_id

from .models import Customer, CustomerMerge, Identity

# A customer that ``customer_identify_or_create`` has just written whole: the row and its
# identities, both in bulk inserts that send no ``post_save`` (arguments: ``customer``, and
# ``identities``, the (kind, value) pairs). Caches of customers (the search index, in a higher
# layer) write their copy of the new record once, from these values, in the same transaction.
customer_created = Signal()


@dataclass(frozen=True)
class CustomerData:
    name: str = ""
    email: str | None = None
    phone: str | None = None
    account: str | None = None
    language: str | None = None


def normalize_email(value: str) -> str:
    value = value.strip()
    try:
        validate_email(value)
    except ValidationError as exc:
        raise InvalidInput(_("Enter a valid email address."), field="email") from exc
    local, _sep, domain = value.rpartition("@")
    return f"{local}@{domain.lower()}".lower()


def normalize_phone(value: str) -> str:
    """E.164, reading national numbers in the configured default region."""
    region = getattr(settings, "COMPTOIR_PHONE_REGION", "CA")
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidInput(_("Enter a valid phone number."), field="phone") from exc
    if not phonenumbers.is_valid_number(number):
        raise InvalidInput(_("Enter a valid phone number."), field="phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalize_account(value: str) -> str:
    value = value.strip()
    if not value or len(value) > 64:
        raise InvalidInput(_("Enter a valid account number."), field="account")
    return value


def identities_of(data: CustomerData) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    if data.email:
        found.append((Identity.Kind.EMAIL, normalize_email(data.email)))
    if data.phone:
        found.append((Identity.Kind.PHONE, normalize_phone(data.phone)))
    if data.account:
        found.append((Identity.Kind.ACCOUNT, normalize_account(data.account)))
    return found


def customer_identify_or_create(*, data: CustomerData, attach: bool = True) -> tuple[Customer, bool]:
    """The customer that any given identity belongs to, else a new one holding all of them.

    Identities not yet known are attached to the customer found, so the next contact by any of
    them lands on the same timeline; ``attach=False`` when nothing proves the sender owns them
    (typed into a public form): a typed phone must not join someone else's record. Must run
    inside the caller's transaction.
    """
    idents = identities_of(data)
    if not idents:
        raise InvalidInput(_("Give an email address or a phone number."), field="customer")
    language = data.language if data.language in dict(Customer.Language.choices) else None
    existing = _identities_known(idents)
    created = False
    if existing:
        # Email first, then phone, then account: the most specific identity wins.
        order: dict[str, int] = {Identity.Kind.EMAIL: 0, Identity.Kind.PHONE: 1, Identity.Kind.ACCOUNT: 2}
        existing.sort(key=lambda i: order[i[0]])
        customer = existing[0][2]
        known = {(kind, value) for kind, value, _customer in existing}
        updates = []
        if data.name and not customer.name:
            customer.name = data.name[:200]
            updates.append("name")
        if updates:
            customer.save(update_fields=[*updates, "updated_at"])
    else:
        name = (data.name or "").replace("\x00", "")[:200]
        customer = Customer(name=name, language=language or Customer.Language.EN)
        # No post_save: ``customer_created`` follows once the identities are written too, so
        # what keeps a copy of customers writes it once, whole (not empty, then again).
        _insert(customer)
        known = set()
        created = True
    missing = [(kind, value) for kind, value in idents if (kind, value) not in known]
    if created:
        # A new customer's identities were all free a moment ago; if a concurrent request takes
        # one first, the IntegrityError aborts this transaction and intake retries it once.
        for kind, value in missing:
            _insert(Identity(customer=customer, kind=kind, value=value))
        customer_created.send(sender=Customer, customer=customer, identities=missing)
        return customer, created
    for kind, value in missing if attach else ():
        try:
            with transaction.atomic():
                Identity.objects.create(customer=customer, kind=kind, value=value)
        except IntegrityError:
            # Created by a concurrent request, or owned by another customer: never steal it.
            continue
    return customer, created


# Which of a message's identities are known, with their customer: asked of every inbound
# message (usually to find none), so written as SQL; the ORM built and compiled the same join
# in ten times what the database takes to answer it. The customer's columns that need no
# conversion are read (the others, its timestamps, are left deferred: nothing here reads them).
_PLAIN = {"AutoField", "BigAutoField", "BigIntegerField", "CharField", "ForeignKey", "IntegerField"}
_CUSTOMER_FIELDS = [f for f in Customer._meta.concrete_fields if f.get_internal_type() in _PLAIN]
_IDENTITY_ROWS = (
    "SELECT i.kind, i.value, "  # noqa: S608 - built from the models' own names
    + ", ".join(f"c.{f.column}" for f in _CUSTOMER_FIELDS)
    + f" FROM {Identity._meta.db_table} i JOIN {Customer._meta.db_table} c ON c.id = i.customer_id WHERE "
)


def _insert(instance: Customer | Identity) -> None:
    """Insert a new row as ``bulk_create`` would (each field's default and ``pre_save``, values
    prepared by their fields, no signal), as one statement without the ORM's compiling: every
    message from a new address makes a customer and an identity."""
    meta = instance._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    params = [f.get_db_prep_save(f.pre_save(instance, True), connection) for f in fields]
    sql = (
        f"INSERT INTO {meta.db_table} ({', '.join(f.column for f in fields)})"  # noqa: S608 - the model's names
        f" VALUES ({', '.join(['%s'] * len(fields))})"
    )
    with connection.cursor() as cursor:
        if connection.features.can_return_columns_from_insert:
            cursor.execute(f"{sql} RETURNING {meta.pk.column}", params)
            instance.pk = cursor.fetchone()[0]
        else:  # pragma: no cover - SQLite before 3.35
            cursor.execute(sql, params)
            instance.pk = cursor.lastrowid
    instance._state.adding, instance._state.db = False, connection.alias


def _identities_known(idents: list[tuple[str, str]]) -> list[tuple[str, str, Customer]]:
    """(kind, value, customer) of each of ``idents`` that belongs to someone."""
    where = " OR ".join(["(i.kind = %s AND i.value = %s)"] * len(idents))
    with connection.cursor() as cursor:
        cursor.execute(_IDENTITY_ROWS + where, [part for pair in idents for part in pair])
        rows = cursor.fetchall()
    names = [f.attname for f in _CUSTOMER_FIELDS]
    return [(str(row[0]), str(row[1]), Customer.from_db(connection.alias, names, row[2:])) for row in rows]


def customer_event(*, customer: Customer, kind: str, detail: str, actor_label: str = "") -> None:
    from .models import CustomerEvent

    CustomerEvent.objects.create(customer=customer, kind=kind, detail=detail[:2000], actor_label=actor_label)


@transaction.atomic
def consent_set(
    *,
    customer: Customer,
    channel: str,
    granted: bool,
    source: str,
    actor_label: str = "",
    only_if_unset: bool = False,
) -> bool:
    """Record consent for a channel; returns whether it changed. Every change is in the history."""
    from .models import Consent

    consent, _created = Consent.objects.select_for_update().get_or_create(
        customer=customer, channel=channel, defaults={"granted": False, "source": ""}
    )
    if (consent.granted == granted or only_if_unset) and not _created:
        return False
    consent.granted = granted
    consent.source = source[:100]
    consent.save(update_fields=["granted", "source", "updated_at"])
    customer_event(
        customer=customer,
        kind="consent_granted" if granted else "consent_withdrawn",
        detail=f"{channel}: {source}",
        actor_label=actor_label,
    )
    return True


@transaction.atomic
def customer_create(*, data: CustomerData) -> Customer:
    """A new customer from an agent's form; known identities are refused, not silently merged."""
    idents = identities_of(data)
    if not idents:
        raise InvalidInput(_("Give an email address or a phone number."), field="customer")
    for kind, value in idents:
        if Identity.objects.filter(kind=kind, value=value).exists():
            raise InvalidInput(
                _("%(value)s already belongs to a customer: search for it.") % {"value": value}, field=kind
            )
    customer = Customer.objects.create(
        name=data.name[:200],
        language=data.language if data.language in dict(Customer.Language.choices) else Customer.Language.EN,
    )
    for kind, value in idents:
        Identity.objects.create(customer=customer, kind=kind, value=value)
    return customer


def _lock_pair(*, first_id: int, second_id: int) -> dict[int, Customer]:
    """Both customers locked in id order, so that opposite operations at once cannot deadlock."""
    ids = sorted({first_id, second_id})
    if not all(is_row_id(pk) for pk in ids):
        return {}
    return {c.pk: c for c in Customer.objects.select_for_update().filter(pk__in=ids).order_by("pk")}


def customer_merge_check(*, source: Customer | None, target: Customer | None) -> tuple[Customer, Customer]:
    """Refuse what no merge may do: an unknown record, itself, a record already merged."""
    from comptoir.common.exceptions import Conflict, NotFound

    if source is None or target is None:
        raise NotFound(_("No such customer."))
    if source.pk == target.pk:
        raise InvalidInput(_("A customer cannot be merged into itself."))
    if source.merged_into_id or target.merged_into_id:
        raise Conflict(_("One of these customers was already merged; reload the page."))
    return source, target


def customer_merge_records(
    *, source_id: int, target_id: int, actor_label: str
) -> tuple[Customer, Customer, CustomerMerge]:
    """Lock both customers (in id order) and fold ``source``'s identities and consents into ``target``.

    A customer already merged cannot take part again, so two agents merging A into B and B into
    A at once end with one merge and one clear refusal. What moved is kept by id in the returned
    ``CustomerMerge``, for ``customer_unmerge_records``. The caller moves the tickets in the same
    transaction (see ``intake.services.customer_merge``).
    """
    from .models import Consent

    if source_id == target_id:
        raise InvalidInput(_("A customer cannot be merged into itself."))
    locked = _lock_pair(first_id=source_id, second_id=target_id)
    source, target = customer_merge_check(source=locked.get(source_id), target=locked.get(target_id))
    identity_ids = list(Identity.objects.filter(customer=source).order_by("pk").values_list("pk", flat=True))
    Identity.objects.filter(pk__in=identity_ids).update(customer=target)
    taken = set(Consent.objects.filter(customer=target).values_list("channel", flat=True))
    consent_ids = list(
        Consent.objects.filter(customer=source)
        .exclude(channel__in=taken)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    Consent.objects.filter(pk__in=consent_ids).update(customer=target, updated_at=timezone.now())
    source.merged_into = target
    source.save(update_fields=["merged_into", "updated_at"])
    merge = CustomerMerge.objects.create(
        source=source,
        target=target,
        identity_ids=identity_ids,
        consent_ids=consent_ids,
        actor_label=actor_label,
    )
    return source, target, merge


def customer_merge_tickets_record(*, merge: CustomerMerge, ticket_ids: list[int]) -> None:
    """Keep which tickets a merge moved (they live in a higher app, which moves them)."""
    merge.ticket_ids = sorted(ticket_ids)
    merge.save(update_fields=["ticket_ids"])


def customer_unmerge_records(*, merge_id: int, actor_label: str) -> tuple[CustomerMerge, Customer, Customer]:
    """Undo a merge's customer side: exactly the identities and consents it moved go back.

    Refused once undone, and while the kept record is itself merged into a third one (undo that
    first: what moved now sits there). The caller moves the recorded tickets back in the same
    transaction (see ``intake.services.customer_unmerge``).
    """
    from comptoir.common.exceptions import Conflict, NotFound

    from .models import Consent

    found = CustomerMerge.objects.filter(pk=merge_id).first() if is_row_id(merge_id) else None
    if found is None:
        raise NotFound(_("No such merge."))
    locked = _lock_pair(first_id=found.source_id, second_id=found.target_id)
    merge = CustomerMerge.objects.select_for_update().get(pk=found.pk)
    source, target = locked[merge.source_id], locked[merge.target_id]
    if merge.undone_at is not None or source.merged_into_id != target.pk:
        raise Conflict(_("This merge was already undone; reload the page."))
    if target.merged_into_id:
        raise Conflict(
            _("Customer #%(target)s was merged into #%(next)s since: undo that merge first.")
            % {"target": target.pk, "next": target.merged_into_id}
        )
    Identity.objects.filter(pk__in=merge.identity_ids, customer=target).update(customer=source)
    taken = set(Consent.objects.filter(customer=source).values_list("channel", flat=True))
    Consent.objects.filter(pk__in=merge.consent_ids, customer=target).exclude(channel__in=taken).update(
        customer=source, updated_at=timezone.now()
    )
    source.merged_into = None
    source.save(update_fields=["merged_into", "updated_at"])
    merge.undone_at = timezone.now()
    merge.undone_by = actor_label[:200]
    merge.save(update_fields=["undone_at", "undone_by"])
    return merge, source, target


# --- One-time sign-in links ("My requests", issue 10) -------------------------------------------

SIGNIN_LINK_TTL = timedelta(minutes=30)
# A flood of sign-in requests naming one address must not flood that inbox: past this many links
# in the window, no more is sent (silently: the answer never says whether the address is known).
SIGNIN_LINKS_PER_WINDOW = 3
SIGNIN_WINDOW = timedelta(minutes=15)


def signin_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def signin_link_issue(*, customer_id: int, now: datetime | None = None) -> str | None:
    """A new one-time sign-in token for this customer (only its hash is stored), or None when the
    customer already received their allowance of links in the window."""
    from .models import SignInLink

    now = now or timezone.now()
    # The customer row is the lock: two requests at once cannot both pass the count.
    Customer.objects.select_for_update().filter(pk=customer_id).values_list("pk", flat=True).first()
    recent = SignInLink.objects.filter(customer_id=customer_id, created_at__gte=now - SIGNIN_WINDOW).count()
    if recent >= SIGNIN_LINKS_PER_WINDOW:
        return None
    token = secrets.token_urlsafe(32)
    SignInLink.objects.create(
        customer_id=customer_id, token_hash=signin_token_hash(token), expires_at=now + SIGNIN_LINK_TTL
    )
    return token


@transaction.atomic
def signin_link_redeem(*, token: str, now: datetime | None = None) -> Customer | None:
    """The customer a valid, unused, unexpired token signs in; None for any other token.

    The token is spent, and so is every other link of the customer: a link works once. A merged
    customer's session leads to the kept record (``selectors.portal_customer``).
    """
    from .models import SignInLink

    if not isinstance(token, str) or not 20 <= len(token) <= 100:
        return None
    now = now or timezone.now()
    link = (
        SignInLink.objects.select_for_update()
        .select_related("customer")
        .filter(token_hash=signin_token_hash(token), used_at__isnull=True, expires_at__gt=now)
        .first()
    )
    if link is None:
        return None
    SignInLink.objects.filter(customer_id=link.customer_id, used_at__isnull=True).update(used_at=now)
    return link.customer
