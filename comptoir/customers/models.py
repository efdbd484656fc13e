from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from comptoir.common.choices import Tier
from comptoir.common.models import BaseModel


class Customer(BaseModel):
    class Language(models.TextChoices):
        EN = "en", _("English")
        FR = "fr", _("French")

    name = models.CharField(_("name"), max_length=200, blank=True)
    language = models.CharField(_("preferred language"), max_length=8, choices=Language, default=Language.EN)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="merged_from",
    )
    # Key accounts (issue 4): their own SLA policies (by tier), a priority boost, a coordinator.
    tier = models.CharField(
        _("tier"),
        max_length=30,
        choices=Tier,
        default=Tier.STANDARD,
        help_text=_(
            "Key accounts get their own SLA policy, a priority boost and their coordinator's alerts."
        ),
    )
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account coordinator"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="coordinated_customers",
    )

    KEY_TIER = Tier.KEY

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")

    def __str__(self) -> str:
        return self.name or f"#{self.pk}"

    @property
    def is_key_account(self) -> bool:
        return self.tier == self.KEY_TIER

    @property
    def email(self) -> str | None:
        """The first email identity, if any (relies on prefetched identities when listing)."""
        for identity in self.identities.all():
            if identity.kind == Identity.Kind.EMAIL:
                return identity.value
        return None


class Identity(models.Model):
    """One way to recognise a customer; a value belongs to one customer only."""

    class Kind(models.TextChoices):
        EMAIL = "email", _("Email")
        PHONE = "phone", _("Phone")
        ACCOUNT = "account", _("Account number")

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="identities"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind)
    value = models.CharField(_("value"), max_length=254)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("identity")
        verbose_name_plural = _("identities")
        constraints = [models.UniqueConstraint(fields=["kind", "value"], name="identity_kind_value_uniq")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"


class Consent(models.Model):
    """Whether a customer agrees to be contacted on a channel (SMS needs it; STOP withdraws it)."""

    class Channel(models.TextChoices):
        SMS = "sms", _("SMS")
        EMAIL = "email", _("Email")

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="consents"
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel)
    granted = models.BooleanField(_("granted"), default=False)
    source = models.CharField(_("source"), max_length=100, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        constraints = [
            models.UniqueConstraint(fields=["customer", "channel"], name="consent_customer_channel_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.channel}={self.granted}"


class CustomerEvent(models.Model):
    """Append-only history of a customer record: merges, consent changes."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="events"
    )
    actor_label = models.CharField(_("actor"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=40)
    detail = models.TextField(_("detail"), blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("customer event")
        verbose_name_plural = _("customer events")
        indexes = [models.Index(fields=["customer", "id"], name="customer_event_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.detail}"


class CustomerMerge(models.Model):
    """One merge of ``source`` into ``target`` and exactly what it moved, so that it can be undone.

    The moved rows are kept by id (tickets live in a higher app, so no foreign key to them): an
    undo moves back these and only these, never what reached ``target`` since.
    """

    source = models.ForeignKey(
        Customer, verbose_name=_("merged record"), on_delete=models.CASCADE, related_name="merges_out"
    )
    target = models.ForeignKey(
        Customer, verbose_name=_("kept record"), on_delete=models.CASCADE, related_name="merges_in"
    )
    ticket_ids = models.JSONField(_("tickets moved"), default=list, blank=True)
    identity_ids = models.JSONField(_("identities moved"), default=list, blank=True)
    consent_ids = models.JSONField(_("consents moved"), default=list, blank=True)
    actor_label = models.CharField(_("merged by"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("merged at"), auto_now_add=True)
    undone_at = models.DateTimeField(_("undone at"), null=True, blank=True)
    undone_by = models.CharField(_("undone by"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("customer merge")
        verbose_name_plural = _("customer merges")

    def __str__(self) -> str:
        return f"#{self.source_id} → #{self.target_id}"
