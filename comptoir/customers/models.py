from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from comptoir.common.choices import Tier
from comptoir.common.models import BaseModel


class Organisation(BaseModel):
    """A company or body whose people contact us (a key account's contacts share one).

    ``share_requests`` lets each contact see every request of the organisation in "My requests"
    (read only: they reply to and close only their own); off by default.
    """

    name = models.CharField(_("name"), max_length=200)
    share_requests = models.BooleanField(
        _("contacts see the organisation's requests"),
        default=False,
        help_text=_(
            "When on, every contact of this organisation sees all its requests in My requests "
            "(read only). Off by default."
        ),
    )

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name


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
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contacts",
    )
    # Issue 13: where the customer is (a postal code or a district), for the incidents of an area.
    area = models.CharField(
        _("area"),
        max_length=100,
        blank=True,
        help_text=_("Postal code or district; an incident declared for an area reaches the customers in it."),
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

    @property
    def sentence(self) -> str:
        """What a person reads: the event as a sentence in their language, built at read time."""
        from django.utils.translation import gettext

        who = self.actor_label or "Comptoir"  # no person: the system acted
        if self.kind in ("consent_granted", "consent_withdrawn"):
            channel, _sep, source = self.detail.partition(": ")
            values = {
                "actor": who,
                "channel": str(dict(Consent.Channel.choices).get(channel, channel)),
                "source": source or "—",
            }
            if self.kind == "consent_granted":
                text = gettext("%(actor)s recorded consent to %(channel)s messages (source: %(source)s).")
            else:
                text = gettext(
                    "%(actor)s recorded withdrawn consent to %(channel)s messages (source: %(source)s)."
                )
            return text % values
        values = {"actor": who, "detail": self.detail}
        if self.kind == "merge":
            return gettext("%(actor)s merged another record into this one: %(detail)s") % values
        if self.kind == "merged_into":
            return gettext("%(actor)s merged this record into another: %(detail)s") % values
        if self.kind == "merge_undone":
            return gettext("%(actor)s undid a merge: %(detail)s") % values
        return gettext("%(actor)s: %(detail)s") % values


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


class SignInLink(models.Model):
    """A one-time link that signs a customer in to "My requests" (sent to one of their addresses).

    Only a SHA-256 of the token is kept: the database alone opens nothing. A link works once,
    until ``expires_at``; using one spends every other link of the customer.
    """

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="signin_links"
    )
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("sign-in link")
        verbose_name_plural = _("sign-in links")
        indexes = [models.Index(fields=["customer", "created_at"], name="signin_link_customer_idx")]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.created_at:%Y-%m-%d %H:%M}"
