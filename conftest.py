"""Loaded first for every test, notebooks under nbmake included."""

from tests.kernels import use_ipc_for_notebooks

use_ipc_for_notebooks()
