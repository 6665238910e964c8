"""``python -m hub.board``: create the board's tables, then serve it with daphne where the hub
expects it (JUPYTERHUB_SERVICE_URL, e.g. http://127.0.0.1:PORT)."""

import logging
import os
import sys
from urllib.parse import urlsplit

import django
from daphne.cli import CommandLineInterface
from django.core.management import call_command


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.board.settings")
    django.setup()
    logging.getLogger("alembic").setLevel(logging.WARNING)  # jupyterhub's imports: noise
    call_command("migrate", run_syncdb=True, verbosity=0)
    where = urlsplit(os.environ.get("JUPYTERHUB_SERVICE_URL", "http://127.0.0.1:8010"))
    argv = ["-b", where.hostname or "127.0.0.1", "-p", str(where.port or 80)]
    CommandLineInterface().run([*argv, *sys.argv[1:], "hub.board.asgi:application"])


if __name__ == "__main__":
    main()
