from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _


class Manager(UserManager["User"]):
    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(**{f"{self.model.USERNAME_FIELD}__iexact": username})

    # The email is the login: Django's signature takes a username first.
    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:  # type: ignore[override]
        extra.setdefault("username", email.lower())
        return super().create_user(email=email.lower(), password=password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:  # type: ignore[override]
        extra.setdefault("username", email.lower())
        return super().create_superuser(email=email.lower(), password=password, **extra)


class User(AbstractUser):
    """Staff accounts (agents, supervisors, admins); customers never log in with a password."""

    class Level(models.IntegerChoices):
        L1 = 1, _("Level 1")
        L2 = 2, _("Level 2")

    email = models.EmailField(_("email address"), unique=True)
    name = models.CharField(_("name"), max_length=150, blank=True)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level, default=Level.L1)
    language = models.CharField(_("language"), max_length=8, default="en")
    teams = models.ManyToManyField(
        "routing.Team", verbose_name=_("teams"), related_name="members", blank=True
    )
    is_agent = models.BooleanField(_("agent"), default=False)
    # Fair assignment (issue 4): what the "next ticket" engine matches tickets against.
    is_supervisor = models.BooleanField(_("supervisor"), default=False)
    skills = models.ManyToManyField(
        "routing.Skill", verbose_name=_("skills"), related_name="agents", blank=True
    )
    languages = models.CharField(
        _("languages spoken"), max_length=40, default="en,fr", help_text=_("Comma-separated, e.g. en,fr.")
    )
    capacity = models.PositiveSmallIntegerField(
        _("capacity"), default=10, help_text=_("How many open tickets this agent can hold at once.")
    )
    is_available = models.BooleanField(_("available"), default=True)
    can_pick = models.BooleanField(
        _("may pick tickets from the queue"),
        null=True,
        blank=True,
        help_text=_("Empty: level-2 agents and supervisors may, level-1 agents may not."),
    )
    can_merge_customers = models.BooleanField(
        _("may merge customer records"),
        null=True,
        blank=True,
        help_text=_("Empty: supervisors and administrators may, other agents may not."),
    )
    mentor = models.ForeignKey(
        "self",
        verbose_name=_("paired with (senior)"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="juniors",
    )
    # Reply tools (issue 10): added under the agent's public replies, in the ticket's language.
    signature_fr = models.TextField(_("signature (French)"), max_length=1000, blank=True)
    signature_en = models.TextField(_("signature (English)"), max_length=1000, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["username"]
    objects: ClassVar[Manager] = Manager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.name or self.email

    @property
    def language_list(self) -> list[str]:
        return [code.strip() for code in self.languages.split(",") if code.strip()]

    def signature_for(self, language: str) -> str:
        """The signature for a reply in ``language`` (``fr``/``en``), else the other one, or ""."""
        if (language or "").startswith("fr"):
            return (self.signature_fr or self.signature_en).strip()
        return (self.signature_en or self.signature_fr).strip()

    @property
    def supervises(self) -> bool:
        """A supervisor or an administrator: sees the outbox and the figures, routes categories,
        approves any held reply. The one place that says who counts as supervising."""
        return self.is_active and (self.is_supervisor or self.is_superuser)

    @property
    def may_pick(self) -> bool:
        """Free picking from the queue: explicit setting, else off for level 1, on above."""
        if self.can_pick is not None:
            return self.can_pick
        return self.supervises or self.level >= self.Level.L2

    @property
    def may_merge_customers(self) -> bool:
        """Merging (and undoing a merge) moves a customer's replies: explicit setting, else
        supervisors and administrators only."""
        if self.can_merge_customers is not None:
            return self.can_merge_customers
        return self.supervises

    @property
    def may_deescalate(self) -> bool:
        """Sending a ticket back to level 1 is the receiving side's call: level-2 agents,
        supervisors and administrators, never the level-1 agent who escalated it."""
        return self.supervises or (self.is_active and self.level >= self.Level.L2)


class ApiToken(models.Model):
    """A bearer token; only its SHA-256 is stored, so a database leak does not leak tokens."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True)
    prefix = models.CharField(_("prefix"), max_length=12)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}…"
