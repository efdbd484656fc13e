from __future__ import annotations

import contextlib

from comptoir.common.exceptions import InvalidInput, NotFound

from .models import Customer


def customer_get(*, customer_id: int) -> Customer:
    from django.utils.translation import gettext as _

    customer = Customer.objects.prefetch_related("identities").filter(pk=customer_id).first()
    if customer is None:
        raise NotFound(_("No such customer."))
    return customer


def customer_has_email(*, customer_id: int, email: str) -> bool:
    from .models import Identity

    return Identity.objects.filter(
        customer_id=customer_id, kind=Identity.Kind.EMAIL, value=email.strip().lower()
    ).exists()


def consent_granted(*, customer_id: int, channel: str) -> bool:
    from .models import Consent

    return Consent.objects.filter(customer_id=customer_id, channel=channel, granted=True).exists()


def customer_phone(*, customer_id: int) -> str | None:
    from .models import Identity

    return (
        Identity.objects.filter(customer_id=customer_id, kind=Identity.Kind.PHONE)
        .order_by("id")
        .values_list("value", flat=True)
        .first()
    )


def customer_search(*, q: str, limit: int = 20) -> list[Customer]:
    """Customers by phone (any format), email, account number or name."""
    from django.db.models import Q

    from .models import Identity
    from .services import normalize_phone

    q = (q or "").strip()
    if not q:
        return []
    condition = Q(identities__value__iexact=q) | Q(name__icontains=q)
    if "@" not in q and sum(ch.isdigit() for ch in q) >= 7:
        # Not a valid phone number: the other criteria still apply.
        with contextlib.suppress(InvalidInput):
            condition |= Q(identities__kind=Identity.Kind.PHONE, identities__value=normalize_phone(q))
    return list(
        Customer.objects.filter(condition, merged_into__isnull=True)
        .prefetch_related("identities")
        .distinct()
        .order_by("name", "id")[:limit]
    )


def customer_events(*, customer_id: int) -> list:
    from .models import CustomerEvent

    return list(CustomerEvent.objects.filter(customer_id=customer_id).order_by("-id")[:100])


def customer_consents(*, customer_id: int) -> list:
    from .models import Consent

    return list(Consent.objects.filter(customer_id=customer_id).order_by("channel"))


def customer_merges(*, customer_id: int) -> list:
    """Merges this record took part in (either side), newest first, for the undo buttons."""
    from django.db.models import Q

    from .models import CustomerMerge

    return list(
        CustomerMerge.objects.filter(Q(source_id=customer_id) | Q(target_id=customer_id))
        .select_related("source", "target")
        .order_by("-id")[:50]
    )


def customer_for_signin(*, email: str) -> Customer | None:
    """The customer an email address belongs to (the kept record if merged), else None."""
    from .models import Identity
    from .services import normalize_email

    try:
        value = normalize_email(email)
    except InvalidInput:
        return None
    identity = (
        Identity.objects.select_related("customer").filter(kind=Identity.Kind.EMAIL, value=value).first()
    )
    return portal_customer(customer_id=identity.customer_id) if identity is not None else None


def portal_customer(*, customer_id: int) -> Customer | None:
    """The signed-in customer of a portal session, with their organisation and identities; a
    merged record leads to the one it was merged into (where its tickets went)."""
    seen: set[int] = set()
    current: int | None = customer_id
    while current is not None and current not in seen:
        seen.add(current)
        customer = (
            Customer.objects.select_related("organisation")
            .prefetch_related("identities")
            .filter(pk=current)
            .first()
        )
        if customer is None:
            return None
        if customer.merged_into_id is None:
            return customer
        current = customer.merged_into_id
    return None


def signin_link_usable(*, token: str) -> bool:
    """Whether a sign-in token would sign someone in now (without spending it)."""
    from django.utils import timezone

    from .models import SignInLink
    from .services import signin_token_hash

    if not isinstance(token, str) or not 20 <= len(token) <= 100:
        return False
    return SignInLink.objects.filter(
        token_hash=signin_token_hash(token), used_at__isnull=True, expires_at__gt=timezone.now()
    ).exists()
