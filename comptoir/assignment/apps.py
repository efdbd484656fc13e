from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssignmentConfig(AppConfig):
    name = "comptoir.assignment"
    label = "assignment"
    verbose_name = _("Assignment")
