"""The demo's settings with "daphne" in INSTALLED_APPS, as the Channels docs set a project up.

Lesson 05 runs ``manage.py runserver`` with these settings in a subprocess, to show what
listing daphne changes. Never load them in a notebook kernel: the daphne app installs
Twisted's reactor when it is imported (see config/settings.py).
"""

from config.settings import *  # noqa: F403

# First, before django.contrib.staticfiles: of the apps that ship a runserver command,
# the one listed first wins, and daphne's system check (daphne.E001) insists on it.
INSTALLED_APPS = ["daphne", *INSTALLED_APPS]  # noqa: F405
