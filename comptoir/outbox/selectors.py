from __future__ import annotations

from .models import CapturedEmail, Delivery


def captured_email_list(*, limit: int = 100) -> list[CapturedEmail]:
    return list(CapturedEmail.objects.order_by("-id")[:limit])


def delivery_list(*, limit: int = 100) -> list[Delivery]:
    return list(Delivery.objects.select_related("ticket").order_by("-id")[:limit])
