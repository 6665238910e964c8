"""config/hashers.py: Django's PBKDF2 at a tenth of its rounds (lesson 07's login cells)."""

import time

import pytest
from django.contrib.auth.hashers import (
    PBKDF2PasswordHasher,
    check_password,
    identify_hasher,
    make_password,
)

from config import settings as demo_settings
from config.hashers import DemoPBKDF2PasswordHasher


@pytest.fixture(autouse=True)
def demo_hashers(settings, fast_password_hasher):
    """The demo's own hashers, not the MD5 the other demo tests use (conftest.py)."""
    settings.PASSWORD_HASHERS = demo_settings.PASSWORD_HASHERS


def test_a_new_password_is_hashed_at_a_tenth_of_djangos_rounds():
    encoded = make_password("correct horse battery staple")
    algorithm, rounds, *_ = encoded.split("$")
    assert algorithm == "pbkdf2_sha256"
    assert int(rounds) == PBKDF2PasswordHasher.iterations // 10
    assert isinstance(identify_hasher(encoded), DemoPBKDF2PasswordHasher)


def test_a_password_stored_at_djangos_full_rounds_still_checks_and_is_upgraded():
    stored = PBKDF2PasswordHasher().encode("s3cret", PBKDF2PasswordHasher().salt())
    upgraded = []
    assert check_password("s3cret", stored, setter=upgraded.append)
    assert not check_password("wrong", stored)
    assert upgraded == ["s3cret"]  # Django stores it again, at the demo's rounds


def test_it_costs_a_tenth_of_the_default():
    def seconds(hasher: PBKDF2PasswordHasher) -> float:
        started = time.perf_counter()
        hasher.encode("x", "saltsaltsalt")
        return time.perf_counter() - started

    demo = min(seconds(DemoPBKDF2PasswordHasher()) for _ in range(3))
    full = min(seconds(PBKDF2PasswordHasher()) for _ in range(3))
    assert demo < full / 4
