"""Saved views and the per-view counters the desk's sidebar reads."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SavedView(models.Model):
    """A work list an agent named: its query string (filters and sort), personal or shared."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.CASCADE, related_name="+"
    )
    name = models.CharField(_("name"), max_length=80)
    shared = models.BooleanField(_("shared with every agent"), default=False)
    query = models.CharField(_("query"), max_length=1000)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")
        indexes = [
            models.Index(fields=["owner", "name"], name="savedview_owner_idx"),
            models.Index(fields=["name"], condition=models.Q(shared=True), name="savedview_shared_idx"),
        ]

    def __str__(self) -> str:
        return self.name


class ViewCounter(models.Model):
    """How many tickets have one (team, assignee, open, snoozed) combination; 0 stands for "none".

    Kept by ``services.counters_on_change`` in the transaction of every ticket change that moves
    a ticket between combinations, so a view's count is a sum over a few rows, never a count of
    the tickets table. Plain integers, not foreign keys: a key must also say "no team"
    (NULLs are never equal in a unique constraint) and counters never block a delete.
    ``is_snoozed`` is an open ticket's snooze (issue 10): the active lists leave those out until
    they wake; a closed ticket is never counted as snoozed, whatever its ``snoozed_until`` says.
    """

    team_key = models.PositiveBigIntegerField(_("team"))
    assignee_key = models.PositiveBigIntegerField(_("assignee"))
    is_open = models.BooleanField(_("open"))
    is_snoozed = models.BooleanField(_("snoozed"), default=False)
    count = models.BigIntegerField(_("tickets"), default=0)

    class Meta:
        verbose_name = _("view counter")
        verbose_name_plural = _("view counters")
        constraints = [
            models.UniqueConstraint(
                fields=["team_key", "assignee_key", "is_open", "is_snoozed"], name="viewcounter_key_snoozed"
            )
        ]
        indexes = [models.Index(fields=["assignee_key", "is_open"], name="viewcounter_assignee_idx")]

    def __str__(self) -> str:
        return f"{self.team_key}/{self.assignee_key}/{self.is_open}/{self.is_snoozed}: {self.count}"
