"""bench/copies.py: which steps of becoming a daphne copy the fork server's pages."""

import json
import subprocess
import sys

import pytest

from course._paths import REPO_ROOT

pytestmark = pytest.mark.slow


def test_each_step_is_measured_and_django_setup_copies_megabytes():
    command = [sys.executable, "-m", "bench.copies"]
    done = subprocess.run(command, capture_output=True, text=True, check=True, cwd=REPO_ROOT)
    copied = json.loads(done.stdout)
    steps = ["gc.collect()", "import daphne.server", "django.setup()", "import config.asgi"]
    assert list(copied) == steps
    assert all(mb >= 0 for mb in copied.values()), copied
    # Setting Django up touches every installed app's models: megabytes, not kilobytes.
    assert copied["django.setup()"] > 2, copied
    # The child stays alive until the last reading: had it exited, its pages would all have
    # come back to the parent, and the last step would show most of the heap (~58 MB).
    assert copied["import config.asgi"] < 10, copied
