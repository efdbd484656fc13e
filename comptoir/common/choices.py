"""Choices shared by apps of the same layer (customers and sla both speak of a customer's tier)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Tier(models.TextChoices):
    """A customer's service tier: a key account gets its own SLA policy, a boost and a coordinator.

    A closed list, so an administrator picks "Key account" instead of typing a value the code
    would have to guess (issue 8, item 17: a tier typed "Key account" silently did nothing).
    """

    STANDARD = "standard", _("Standard")
    KEY = "key", _("Key account")


_KEY_WORDS = {"key", "key account", "key-account", "compte clé", "compte-clé", "compte cle", "grand compte"}


def tier_from_text(value: str | None) -> str | None:
    """The tier an older free-text value meant (used by migrations): the key-account words, in
    French or English, give ``key``; empty stays empty (no criterion). Any other value is kept as
    it was: it goes on matching exactly what it matched before (a "gold" policy still applies to
    "gold" customers), and turning several of them into one value could break the unique criteria
    of SLA policies or widen a triage rule to every customer."""
    if not value or not value.strip():
        return None
    return Tier.KEY.value if " ".join(value.strip().lower().split()) in _KEY_WORDS else value


def tier_column_normaliser(app_label: str, model_name: str, field: str):  # type: ignore[no-untyped-def]
    """A data migration step: apply ``tier_from_text`` to one tier column (non-empty values only)."""

    def forwards(apps, schema_editor) -> None:  # type: ignore[no-untyped-def]
        model = apps.get_model(app_label, model_name)
        rows = model.objects.exclude(**{f"{field}__isnull": True}).exclude(**{field: ""})
        for pk, value in rows.values_list("pk", field):
            model.objects.filter(pk=pk).update(**{field: tier_from_text(value)})

    return forwards
