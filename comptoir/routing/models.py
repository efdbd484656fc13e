from django.db import models
from django.utils.translation import gettext_lazy as _

from comptoir.common.models import BaseModel


class Team(BaseModel):
    class Level(models.IntegerChoices):
        L1 = 1, _("Level 1")
        L2 = 2, _("Level 2")

    name = models.CharField(_("name"), max_length=100, unique=True)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level, default=Level.L1)
    auto_assign = models.BooleanField(
        _("assign new tickets automatically"),
        default=False,
        help_text=_("Give each new ticket to the least-loaded available agent who may take it."),
    )

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Skill(models.Model):
    """Something an agent knows (a product, a trade); categories can require one."""

    slug = models.SlugField(_("slug"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("skill")
        verbose_name_plural = _("skills")
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.name
