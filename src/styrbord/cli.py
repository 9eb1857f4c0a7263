"""The `styrbord` command: django-admin with Styrbord's settings preset."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    """Run a management command, e.g. `styrbord demo` or `styrbord migrate`."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "styrbord.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["styrbord", *(argv if argv is not None else sys.argv[1:])])


if __name__ == "__main__":
    main()
