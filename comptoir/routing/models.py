from django.db import models
from django.db.models import Q
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
    is_default = models.BooleanField(
        _("default team"),
        default=False,
        help_text=_("New tickets that no rule or category sends elsewhere land in this team."),
    )
    escalation_team = models.ForeignKey(
        "self",
        verbose_name=_("escalates to"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"level": 2},
        help_text=_(
            "The level-2 team that receives this team's escalated tickets. Empty: the first level-2 team."
        ),
    )

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["name"]
        constraints = [
            # At most one default team; its choice is a row of data the administrator changes.
            models.UniqueConstraint(
                fields=["is_default"],
                condition=Q(is_default=True),
                name="routing_one_default_team",
                violation_error_message=_("Another team is already the default team."),
            ),
        ]

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
