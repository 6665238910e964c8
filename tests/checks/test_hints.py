"""hint("name"): an exercise's hints on request, one at a time, counted per exercise.

The hints live in course/checks/hints.toml and nowhere else: not in a stub, not in a
released notebook. tests/checks/test_released_notebooks.py calls hint() in a real kernel.
"""

import ast
import json
import tomllib

import pytest

import course
from course.checking.stubs import Stub
from course.checks import EXERCISES, hints
from course.checks.hints import HintBook, Shown
from tests.checks.helpers import RELEASED

PARSE = ast.PyCF_ONLY_AST | ast.PyCF_ALLOW_TOP_LEVEL_AWAIT
BOOK = {"greeting-app": ("look at the path", "then the query"), "call-by-hand": ("be the server",)}


@pytest.fixture
def fresh(monkeypatch: pytest.MonkeyPatch) -> None:
    """This process's hint book, as a new kernel has it: nothing shown yet."""
    monkeypatch.setattr(hints, "_book", None)


def test_every_exercise_has_its_hints_in_hints_toml_in_registry_order():
    with hints.HINTS_FILE.open("rb") as file:
        raw = tomllib.load(file)
    assert list(raw) == list(EXERCISES), "one table per exercise, in course/checks' order"
    for name, texts in hints.load().items():
        assert len(texts) >= 2, f"{name}: give at least two hints, the gentler first"
        assert all(len(text) > 20 and "\n" not in text for text in texts), name
        assert len(set(texts)) == len(texts), f"{name}: a hint given twice"


def test_hints_come_one_at_a_time_in_order_then_no_more():
    book = HintBook(BOOK)

    shown = [book.next("greeting-app") for _ in range(4)]

    assert [(s.number, s.of) for s in shown] == [(1, 2), (2, 2), (0, 2), (0, 2)]
    assert [s.text for s in shown[:2]] == ["look at the path", "then the query"]
    assert str(shown[0]) == "greeting-app · hint 1 of 2: look at the path"
    assert str(shown[2]).startswith("greeting-app · no more hints: you have seen all 2;")
    assert 'check("greeting-app")' in shown[2].text
    assert [book.next("call-by-hand").number for _ in range(2)] == [1, 0]


def test_hints_used_counts_the_hints_each_exercise_has_shown():
    book = HintBook(BOOK)
    assert book.used == {}

    book.next("greeting-app")
    assert book.used == {"greeting-app": 1}
    for _ in range(5):  # "no more hints" shows nothing new: the count stays at all there are
        book.next("greeting-app")
    book.next("call-by-hand")
    assert book.used == {"greeting-app": 2, "call-by-hand": 1}


def test_an_unknown_name_is_a_clear_error_that_lists_the_exercises():
    book = HintBook(BOOK)

    with pytest.raises(ValueError) as info:
        book.next("greeting_app")

    assert str(info.value) == (
        "There is no exercise called 'greeting_app'. Did you mean 'greeting-app'? "
        "The exercises are: greeting-app, call-by-hand."
    )
    with pytest.raises(ValueError, match=r"'nope'\. The exercises are: greeting-app, call"):
        book.next("nope")
    assert book.used == {}


def test_the_hint_shows_as_html_with_a_text_twin():
    shown = Shown("x", 1, 3, 'send {"type": "<b>"}')
    assert "hint 1 of 3" in shown._repr_html_()
    assert "{&quot;type&quot;: &quot;&lt;b&gt;&quot;}" in shown._repr_html_()
    assert str(shown) == 'x · hint 1 of 3: send {"type": "<b>"}'


def test_hint_and_hints_used_as_a_notebook_calls_them(fresh, capsys: pytest.CaptureFixture):
    from course import check, hint  # what every exercise notebook's setup cell imports

    assert check is course.checks.check
    assert hint is hints.hint is course.hint
    assert course.checks.hints_used() == {}

    for _ in range(3):
        hint("body-echo")
    hint("upper-echo")

    first, second, third, other = capsys.readouterr().out.splitlines()
    texts = hints.load()["body-echo"]
    assert first == f"body-echo · hint 1 of {len(texts)}: {texts[0]}"
    assert second == f"body-echo · hint 2 of {len(texts)}: {texts[1]}"
    assert third.startswith(f"body-echo · hint 3 of {len(texts)}: ")
    assert other.startswith("upper-echo · hint 1 of ")
    assert course.checks.hints_used() == {"body-echo": 3, "upper-echo": 1}
    course.checks.hints_used()["body-echo"] = 0  # a copy: the count is the kernel's own
    assert course.checks.hints_used()["body-echo"] == 3


@pytest.mark.parametrize("path", RELEASED, ids=lambda p: p.stem)
def test_a_released_notebook_imports_hint_beside_check_and_holds_no_hint(path):
    nb = json.loads(path.read_text())
    code = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
    imports = [line for src in code for line in src.splitlines() if "from course import" in line]
    assert imports == ["from course import check, hint"], imports
    text = path.read_text()
    leaked = [h for texts in hints.load().values() for h in texts if json.dumps(h)[1:-1] in text]
    assert not leaked, f"{path.name} shows hints before they are asked for: {leaked}"
    stubs = [
        node.exc.args[0].value
        for src in code
        if "NotImplementedError" in src
        for node in ast.walk(compile(src, path.name, "exec", flags=PARSE))
        if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call)
    ]
    assert stubs, f"{path.name} has no stub"
    for message in stubs:  # what to write and where the hints are: nothing more
        stub = Stub.parse(message)
        assert stub is not None and stub.exercise in EXERCISES, message
        assert EXERCISES[stub.exercise].lesson == path.stem, message
