"""config/settings_daphne.py: the demo's settings with daphne listed, for lesson 05's runserver."""

import os
import subprocess
import sys

from course._paths import DEMO_DIR

RUNSERVER_OWNER = (
    "import django; django.setup(); "
    "from django.core.management import get_commands; print(get_commands()['runserver'])"
)


def owner_of_runserver(settings_module: str) -> str:
    """Which app's runserver command ``manage.py runserver`` runs under these settings.

    A subprocess: the daphne app installs Twisted's reactor on import, and this process
    already has Django set up with the demo's own settings.
    """
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": settings_module}
    done = subprocess.run(
        [sys.executable, "-c", RUNSERVER_OWNER],
        cwd=DEMO_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.strip()


def test_daphne_comes_first_and_the_rest_is_the_demo():
    from config import settings, settings_daphne

    assert settings_daphne.INSTALLED_APPS[0] == "daphne"
    assert settings_daphne.INSTALLED_APPS[1:] == settings.INSTALLED_APPS
    assert settings_daphne.ASGI_APPLICATION == settings.ASGI_APPLICATION


def test_with_daphne_listed_runserver_is_daphnes():
    assert owner_of_runserver("config.settings_daphne") == "daphne"


def test_without_daphne_runserver_is_djangos_own():
    assert owner_of_runserver("config.settings") == "django.contrib.staticfiles"
