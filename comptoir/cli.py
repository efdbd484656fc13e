"""The ``comptoir`` command: Django's management commands under one name.

``comptoir run``, ``comptoir worker``, ``comptoir demo`` and ``comptoir agent add`` are Comptoir's
own commands; every other Django command works too (``comptoir migrate``, ``comptoir shell``...).
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "comptoir.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else ["comptoir", *argv])
    args[0] = "comptoir"
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
