from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from comptoir.accounts.services import agent_create, api_token_create
from comptoir.routing.selectors import team_default


class Command(BaseCommand):
    help = (
        "Manage agents: `agent add EMAIL --name NAME --team TEAM [--level 1|2] [--password P] "
        "[--supervisor] [--admin] [--language en|fr] [--token]`."
    )

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="Create an agent (and the team if it does not exist).")
        add.add_argument("email")
        add.add_argument("--name", required=True)
        add.add_argument("--team", required=True)
        add.add_argument("--level", type=int, choices=[1, 2], default=1)
        add.add_argument("--password", default=None, help="Login password for the desk.")
        add.add_argument(
            "--supervisor",
            action="store_true",
            help="A supervisor: routes categories, sees the outbox and the figures, approves held replies.",
        )
        add.add_argument(
            "--admin",
            action="store_true",
            help="An administrator: everything a supervisor does, and /admin/.",
        )
        add.add_argument(
            "--language",
            choices=["en", "fr"],
            default=None,
            help="The language of their emails (alerts, escalations); they can change it on the desk.",
        )
        add.add_argument("--token", action="store_true", help="Print a new API token, alone, last.")

    def handle(self, *args, **opts):  # type: ignore[no-untyped-def]
        from comptoir.common.exceptions import DomainError

        default_before = team_default()
        try:
            user = agent_create(
                email=opts["email"], name=opts["name"], team_name=opts["team"], level=opts["level"],
                password=opts["password"], is_supervisor=opts["supervisor"], is_superuser=opts["admin"],
                language=opts["language"],
            )  # fmt: skip
            team = user.teams.get(name=opts["team"])
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        roles = "".join(
            f", {role}"
            for role, on in (("supervisor", user.is_supervisor), ("administrator", user.is_superuser))
            if on
        )
        self.stdout.write(f"Agent {user.email} in team {team.name} (level {user.level}{roles}).")
        if team.is_default and (default_before is None or default_before.pk != team.pk):  # just made default
            self.stdout.write(f"New tickets land in team {team.name} (the default team).")
        if opts["token"]:
            self.stdout.write(api_token_create(user=user))
