"""Signing a customer in to "My requests" with a one-time link sent to their email (issue 10).

The answer to "send me a link" must not tell whether an address is known (account enumeration,
Frappe GHSA-3vqc): the web request only queues a task, the same one for any address, so the
answer and its timing are the same; the task finds the customer and sends the link, or does
nothing. The link travels through the outbox like an acknowledgment, in the customer's language;
the outbox shows it to supervisors masked (``/my/continue/`` is among ``outbox.redact``'s paths).
"""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from comptoir.common.tasks import enqueue_with_change
from comptoir.customers.selectors import customer_for_signin
from comptoir.customers.services import (
    SIGNIN_LINK_TTL,
    normalize_email,
    signin_link_issue,
    signin_token_hash,
)
from comptoir.outbox.models import Delivery
from comptoir.outbox.services import delivery_enqueue


def signin_request(*, email: str, language: str) -> None:
    """Queue the sending of a sign-in link to ``email``, whether or not anyone has it."""
    from .tasks import signin_link_send_task

    enqueue_with_change(signin_link_send_task, email=email.strip()[:254], language=language[:8])


def signin_url(token: str) -> str:
    return settings.BASE_URL.rstrip("/") + reverse("portal:my_continue", kwargs={"token": token})


def signin_link_send(*, email: str, language: str = "en") -> Delivery | None:
    """Send a one-time sign-in link to ``email`` if it is a customer's address; else nothing.

    Nothing either when the customer received their allowance of links for now (a flood of
    requests naming one address must not flood that inbox).
    """
    customer = customer_for_signin(email=email)
    if customer is None:
        return None
    recipient = normalize_email(email)  # one of the customer's own addresses: found by it
    token = signin_link_issue(customer_id=customer.pk)
    if token is None:
        return None
    with translation.override(customer.language or language or "en"):
        subject = _("Your link to sign in to your requests")
        body = render_to_string(
            "intake/email/signin_link.txt",
            {
                "customer": customer,
                "url": signin_url(token),
                "minutes": int(SIGNIN_LINK_TTL.total_seconds() // 60),
            },
        )
    return delivery_enqueue(
        key=f"signin:{signin_token_hash(token)[:32]}",
        kind=Delivery.Kind.TRACKING_LINK,
        recipient=recipient,
        subject=subject,
        body=body,
        customer_id=customer.pk,
    )
