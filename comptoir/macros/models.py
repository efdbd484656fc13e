"""Macros: canned replies in French and English that may also set a ticket's fields."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from comptoir.common.models import BaseModel
from comptoir.tickets.models import Ticket

# What a macro may set on the ticket it is applied to: statuses an agent chooses after a reply.
STATUS_CHOICES = [
    (s.value, s.label)
    for s in (
        Ticket.Status.OPEN,
        Ticket.Status.WAITING_CUSTOMER,
        Ticket.Status.WAITING_INTERNAL,
        Ticket.Status.RESOLVED,
        Ticket.Status.CLOSED,
    )
]


class Macro(BaseModel):
    """A canned reply. Without ``owner`` it is shared (managed by supervisors); with one, it is
    that agent's own and nobody else sees it. The texts hold ``{{placeholder}}`` names from
    ``macros.placeholders.PLACEHOLDERS`` only, substituted as plain text (never a template)."""

    name = models.CharField(_("name"), max_length=120)
    body_fr = models.TextField(_("text (French)"), max_length=20_000, blank=True)
    body_en = models.TextField(_("text (English)"), max_length=20_000, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="macros",
        help_text=_("Empty: a shared macro, offered to every agent."),
    )
    set_status = models.CharField(_("set status"), max_length=20, choices=STATUS_CHOICES, blank=True)
    set_priority = models.CharField(_("set priority"), max_length=2, choices=Ticket.Priority, blank=True)
    set_team = models.ForeignKey(
        "routing.Team",
        verbose_name=_("set team"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("macro")
        verbose_name_plural = _("macros")
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["owner", "name"], name="macro_owner_name_idx")]
        constraints = [
            models.CheckConstraint(condition=~Q(body_fr="") | ~Q(body_en=""), name="macro_has_a_text")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_shared(self) -> bool:
        return self.owner_id is None

    def clean(self) -> None:
        """The admin's check: at least one text, and only known placeholders in each."""
        from .placeholders import PLACEHOLDERS, braced, unknown_placeholders

        if not (self.body_fr or "").strip() and not (self.body_en or "").strip():
            raise ValidationError(_("Write the text in French, in English or both."))
        errors = {}
        for field in ("body_fr", "body_en"):
            unknown = unknown_placeholders(getattr(self, field))
            if unknown:
                errors[field] = _("Unknown placeholder %(names)s; use one of: %(known)s.") % {
                    "names": braced(unknown),
                    "known": braced(PLACEHOLDERS),
                }
        if errors:
            raise ValidationError(errors)

    def body_for(self, language: str) -> str:
        """The text in ``language`` (``fr``/``en``), else the other one."""
        if (language or "").startswith("fr"):
            return self.body_fr or self.body_en
        return self.body_en or self.body_fr

    def actions(self) -> dict[str, object]:
        """The fields this macro sets, as ``ticket_update`` keywords."""
        found: dict[str, object] = {}
        if self.set_status:
            found["status"] = self.set_status
        if self.set_priority:
            found["priority"] = self.set_priority
        if self.set_team_id is not None:
            found["team"] = self.set_team
        return found
