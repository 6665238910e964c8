"""Kernels the tests start talk over unix sockets, never TCP ports.

jupyter_client picks a kernel's five TCP ports by binding port 0, closing, and letting the
kernel bind them later: a second `make test` beside this one can take a port in between, and
the kernel dies with "Address already in use" (seen: nbmake on solutions/11, with two suites
on one host). Over ipc each kernel's sockets are files in a folder of this process's own.
course/grading/kernel.py does the same for the grader's kernels.
"""

from __future__ import annotations

import os
import sys
import tempfile
import uuid
from typing import Any

from jupyter_client import AsyncKernelManager
from nbclient import NotebookClient
from traitlets import default

IPC = sys.platform != "win32"
FOLDER = tempfile.mkdtemp(prefix="kernels-")


class IpcKernelManager(AsyncKernelManager):  # type: ignore[misc]
    @default("transport")
    def _transport_default(self) -> str:
        return "ipc" if IPC else "tcp"

    @default("ip")
    def _ip_default(self) -> str:
        if self.transport != "ipc":
            return str(super()._ip_default())
        return os.path.join(FOLDER, uuid.uuid4().hex[:12])


class IpcNotebookClient(NotebookClient):  # type: ignore[misc]
    @default("kernel_manager_class")
    def _kernel_manager_class_default(self) -> Any:
        return IpcKernelManager


def use_ipc_for_notebooks() -> None:
    """Make nbmake and course.authoring.nbrun (tests/test_lesson_runs.py), which build their
    own NotebookClient, start their kernels over ipc."""
    import nbmake.nb_run

    import course.authoring.nbrun

    nbmake.nb_run.NotebookClient = IpcNotebookClient  # type: ignore[misc]
    course.authoring.nbrun.NotebookClient = IpcNotebookClient  # type: ignore[misc]
