"""App config for ``django.contrib.admin`` (a module of its own: it is imported before models)."""

from django.contrib.admin.apps import AdminConfig


class ComptoirAdminConfig(AdminConfig):
    """``django.contrib.admin`` with ``ComptoirAdminSite`` (superusers only, throttled) as ``admin.site``."""

    default_site = "comptoir.accounts.admin_site.ComptoirAdminSite"
