from __future__ import annotations

from comptoir.common.exceptions import NotFound

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
