"""Abstract bases, and the one shared counter behind the per-process configuration caches."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class BaseModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class ConfigGeneration(models.Model):
    """How many times a kind of configuration changed (see ``comptoir.common.config``).

    Every process caches rules, categories, teams and SLA policies; this row is how one process
    tells the others that their copy is stale.
    """

    name = models.CharField(max_length=50, primary_key=True)
    value = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name}={self.value}"
