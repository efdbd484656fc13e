from __future__ import annotations

from comptoir.common.exceptions import NotFound

from .models import Customer


def customer_get(*, customer_id: int) -> Customer:
    from django.utils.translation import gettext as _

    customer = Customer.objects.prefetch_related("identities").filter(pk=customer_id).first()
    if customer is None:
        raise NotFound(_("No such customer."))
    return customer
