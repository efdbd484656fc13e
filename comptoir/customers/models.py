from django.db import models
from django.utils.translation import gettext_lazy as _

from comptoir.common.models import BaseModel


class Customer(BaseModel):
    class Language(models.TextChoices):
        EN = "en", _("English")
        FR = "fr", _("French")

    name = models.CharField(_("name"), max_length=200, blank=True)
    language = models.CharField(_("preferred language"), max_length=8, choices=Language, default=Language.EN)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")

    def __str__(self) -> str:
        return self.name or f"#{self.pk}"

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
