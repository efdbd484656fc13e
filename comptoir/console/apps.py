from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    """Comptoir's own commands (run, worker, demo, agent): a UI like desk and api, for operators."""

    name = "comptoir.console"
    label = "console"

    def ready(self) -> None:
        from comptoir.common.jobs import register_job

        # The task worker's own upkeep: rows of a dead worker, then finished rows past retention.
        register_job("task rows", "comptoir.console.workers.task_rows_recover")
        register_job("old task rows", "comptoir.console.workers.task_rows_prune")
