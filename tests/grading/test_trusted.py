"""The grading cell imports the grader's compiled copy of the toolkit, and refuses a changed one."""

import secrets
from pathlib import Path

import pytest

from course.grading.kernel import SandboxKernel
from course.grading.trusted import BUNDLE, bundle, grading_cell, read_payload

pytestmark = pytest.mark.slow

ANSWER = """
from urllib.parse import parse_qs

async def greeting_app(scope, receive, send):
    if scope["path"] != "/hello":
        status, text = 404, "Not found"
    else:
        query = parse_qs(scope["query_string"].decode())
        status, text = 200, f"Hello, {query.get('name', ['world'])[0]}!"
    headers = [(b"content-type", b"text/plain; charset=utf-8")]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": text.encode()})
"""


async def grade_in_kernel(tmp_path: Path, tamper: bool) -> dict[str, object]:
    kernel = SandboxKernel(tmp_path, memory_mb=1024, max_output=10**6)
    await kernel.start()
    try:
        await kernel.run(ANSWER, 30)
        nonce = secrets.token_hex(8)
        cell = grading_cell("greeting-app", nonce, 2.0, tmp_path)
        if tamper:  # what a student's background thread could do between write and read
            (tmp_path / BUNDLE).write_bytes(bundle()[0].replace(b"passed", b"failed"))
        run = await kernel.run(cell, 30)
    finally:
        await kernel.stop()
    payload = read_payload(run.data, nonce)
    assert payload is not None, run.text
    return payload


async def test_a_correct_answer_is_graded_from_the_copy(tmp_path: Path) -> None:
    payload = await grade_in_kernel(tmp_path, tamper=False)
    results = payload["results"]
    assert isinstance(results, list) and results
    assert {r["status"] for r in results} == {"passed"}, results


async def test_a_copy_changed_on_disk_is_refused(tmp_path: Path) -> None:
    payload = await grade_in_kernel(tmp_path, tamper=True)
    assert "results" not in payload
    assert "changed on disk" in str(payload["error"])
