from __future__ import annotations

from .models import InboundRecord


def inbound_failed(*, limit: int = 200) -> list[InboundRecord]:
    """Kept failures, newest first, without their raw bytes (a list must stay light)."""
    return list(
        InboundRecord.objects.filter(status=InboundRecord.Status.FAILED)
        .defer("raw", "payload")
        .order_by("-id")[:limit]
    )


def inbound_counts() -> dict[str, int]:
    from django.db.models import Count

    return dict(
        InboundRecord.objects.values_list("status").annotate(n=Count("id")).values_list("status", "n")
    )
