from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    """Comptoir's own commands (run, worker, demo, agent): a UI like desk and api, for operators."""

    name = "comptoir.console"
    label = "console"
