from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "comptoir.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from comptoir.common.config import invalidate_on_change

        from .models import ApiToken, User

        # API tokens are looked up per process (accounts.services.api_token_authenticate).
        invalidate_on_change([ApiToken, User], "api-tokens")
