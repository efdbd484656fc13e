from __future__ import annotations

from .models import CapturedEmail, CapturedSms, Delivery


def captured_email_list(*, limit: int = 100) -> list[CapturedEmail]:
    return list(CapturedEmail.objects.order_by("-id")[:limit])


def delivery_list(*, limit: int = 100) -> list[Delivery]:
    return list(Delivery.objects.select_related("ticket").order_by("-id")[:limit])


def delivery_ticket_ids(*, message_ids: list[str]) -> list[int]:
    """Tickets of the messages we sent with these Message-IDs (a customer's reply names them)."""
    return list(
        Delivery.objects.filter(message_id__in=message_ids, ticket__isnull=False).values_list(
            "ticket_id", flat=True
        )[:1]
    )


def captured_sms_list(*, limit: int = 100) -> list[CapturedSms]:
    return list(CapturedSms.objects.order_by("-id")[:limit])
