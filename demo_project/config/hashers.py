"""The demo's password hasher: Django's default (PBKDF2-SHA256) at a tenth of its rounds.

Django 5.2 spends 1,000,000 rounds, about half a second of CPU a password, on purpose: it is
what slows down a stolen database. A lesson cell that creates an account and logs in twice
would wait over a second for that alone; at 100,000 rounds it waits 0.15 s. A real site
keeps the default (delete PASSWORD_HASHERS from its settings).
"""

from django.contrib.auth.hashers import PBKDF2PasswordHasher


class DemoPBKDF2PasswordHasher(PBKDF2PasswordHasher):
    iterations = PBKDF2PasswordHasher.iterations // 10
