"""JupyterLab's side of the course: a lesson opens unmodified.

A committed notebook cannot hold the ``language_info`` of every student's Python (its
``version`` is the Python that runs it). When a notebook's kernel starts, JupyterLab writes
the kernel's ``language_info`` into the notebook, and a lesson shows as modified the moment
it opens. This contents manager fills in the kernel's ``language_info`` as the lab loads a
notebook that runs on the ``python3`` kernel, so the kernel finds nothing to change. It only
changes what the lab is sent, never the file; a save writes what the student sees.

``make setup`` and Binder's ``postBuild`` configure it for the course's Jupyter server
(lab/jupyter_server_config.json, copied to <prefix>/etc/jupyter/);
tests/browser/test_lab_in_browser.py checks it.
"""

from __future__ import annotations

import platform
from typing import Any

from jupyter_server.services.contents.largefilemanager import AsyncLargeFileManager

# What ipykernel reports for this Python (ipykernel.ipkernel.IPythonKernel.language_info).
LANGUAGE_INFO = {
    "codemirror_mode": {"name": "ipython", "version": 3},
    "file_extension": ".py",
    "mimetype": "text/x-python",
    "name": "python",
    "nbconvert_exporter": "python",
    "pygments_lexer": "ipython3",
    "version": platform.python_version(),
}


def with_language_info(model: dict[str, Any]) -> dict[str, Any]:
    """*model* (a contents API notebook model), with the python3 kernel's language_info."""
    if model.get("type") != "notebook" or not isinstance(model.get("content"), dict):
        return model
    metadata = model["content"].setdefault("metadata", {})
    if metadata.get("kernelspec", {}).get("name") == "python3":
        metadata["language_info"] = dict(LANGUAGE_INFO)
    return model


class CourseContentsManager(AsyncLargeFileManager):
    """Jupyter's own file manager, with notebooks sent as the kernel will describe them."""

    async def get(
        self,
        path: str,
        content: bool = True,
        type: str | None = None,
        format: str | None = None,
        require_hash: bool = False,
    ) -> dict[str, Any]:
        get = super().get
        model: dict[str, Any] = await get(  # type: ignore[no-untyped-call]
            path, content=content, type=type, format=format, require_hash=require_hash
        )
        return with_language_info(model)
