"""course.authoring.release: solution notebooks in, locked and stubbed exercise notebooks out.

A stub says what to write and where the hints are (hint("name")), never a hint; every cell
that can fail while a stub is unwritten is tagged raises-exception, so Run All reaches every
check cell.
"""

import ast
import json
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from course.authoring.regions import what_to_write
from course.authoring.release import (
    MAY_FAIL,
    ReleaseError,
    main,
    release_notebook,
    release_source,
    render,
)
from course.checking.cells import CHECK_CELL, check_name
from course.checking.stubs import Stub

LESSON = "01-demo"
REGISTRY = {
    "hello": SimpleNamespace(name="hello", lesson=LESSON),
    "later": SimpleNamespace(name="later", lesson="02-other"),
}
HINTS = {"hello": ("read scope['path'] first", "then send two messages"), "later": ("soon",)}

ANSWER = """\
import json

async def app(scope, receive, send):
    ### BEGIN SOLUTION
    body = b"hi"
    ### END SOLUTION
    return body
"""


def parses(src: str) -> None:
    compile(src, "cell", "exec", flags=ast.PyCF_ONLY_AST | ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)


def solution(*extra_cells, check: str = 'check("hello")'):
    cells = [new_markdown_cell("# Lesson *one*"), new_code_cell(ANSWER), *extra_cells]
    if check:
        cells.append(new_code_cell(check))
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    return nb


@pytest.fixture
def repo(tmp_path: Path):
    """A solutions/ with one notebook and an empty exercises/, as paths."""
    (tmp_path / "solutions").mkdir()
    nbformat.write(solution(), tmp_path / "solutions" / f"{LESSON}.ipynb")
    return tmp_path


def run(repo: Path, *args: str) -> int:
    argv = ["--solutions", str(repo / "solutions"), "--exercises", str(repo / "exercises")]
    return main([*argv, *args], registry=REGISTRY, hints=HINTS)


# ---- one cell --------------------------------------------------------------------------------


def test_region_becomes_a_stub_that_says_what_to_write_and_where_the_hints_are():
    out = release_source(ANSWER, "here", "hello")
    assert out == (
        "import json\n\nasync def app(scope, receive, send):\n"
        "    # YOUR CODE HERE\n"
        """    raise NotImplementedError('Write app(scope, receive, send) here. """
        """Stuck? Run hint("hello")')\n"""
        "    return body\n"
    )
    parses(out)
    message = ast.parse(out).body[1].body[0].exc.args[0].value  # type: ignore[attr-defined]
    assert Stub.parse(message) == Stub("app(scope, receive, send)", "hello")


def test_the_stub_names_the_function_around_it_without_self_or_defaults():
    src = (
        "class Room(Base):\n"
        "    async def receive(self, text_data=None, *args, key, **kwargs):\n"
        "        ### BEGIN SOLUTION\n"
        "        pass\n"
        "        ### END SOLUTION\n"
        "\n"
        "    @classmethod\n"
        "    def make(cls):\n"
        "        ### BEGIN SOLUTION\n"
        "        if True:\n"
        "            return cls()\n"
        "        ### END SOLUTION\n"
        "\n"
        "def outer(a, /, b):\n"
        "    def inner(c):\n"
        "        ### BEGIN SOLUTION\n"
        "        return c\n"
        "        ### END SOLUTION\n"
        "    return inner\n"
        "### BEGIN SOLUTION\n"
        "x = 1\n"
        "### END SOLUTION\n"
    )
    assert what_to_write(src, 3) == "Room.receive(text_data, *args, key, **kwargs)"
    assert what_to_write(src, 9) == "Room.make()"
    assert what_to_write(src, 16) == "outer.inner(c)"
    assert what_to_write(src, 20) == "your answer"
    assert what_to_write("%magic\n### BEGIN SOLUTION\n", 2) == "your answer"
    out = release_source(src, "here", "ex")
    assert "'Write Room.receive(text_data, *args, key, **kwargs) here." in out
    assert "'Write your answer here. Stuck? Run hint(\"ex\")'" in out
    parses(out)


def test_two_regions_in_one_cell_and_code_outside_untouched():
    src = (
        "def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION\n"
        "\n# keep me\nclass C:\n    def g(self):\n"
        "        ### BEGIN SOLUTION\n        return 2\n"
        "        ### END SOLUTION\n"
    )
    out = release_source(src, "here", "ex")
    stub = "raise NotImplementedError('Write {} here. Stuck? Run hint(\"ex\")')"
    assert out == (
        f"def f():\n    # YOUR CODE HERE\n    {stub.format('f()')}\n"
        "\n# keep me\nclass C:\n    def g(self):\n"
        f"        # YOUR CODE HERE\n        {stub.format('C.g()')}\n"
    )
    parses(out)
    assert release_source("x = 1\n# ### not a marker\n", "here", "ex") == (
        "x = 1\n# ### not a marker\n"
    )


@pytest.mark.parametrize(
    ("src", "words"),
    [
        ("x = 1\n### END SOLUTION", "line 2: ### END SOLUTION without"),
        ("### BEGIN SOLUTION\nx = 1", "line 1: ### BEGIN SOLUTION without"),
        ("### BEGIN SOLUTION\n  ### BEGIN SOLUTION\nx = 1\n### END SOLUTION", "inside"),
        ("### BEGIN SOLUTION\n### HINT: h\nx = 1\n### END SOLUTION", "course/checks/hints.toml"),
        ("### HINT: stray\nx = 1", "line 1: hints live in course/checks/hints.toml"),
    ],
)
def test_bad_markers_are_errors_that_say_where(src: str, words: str):
    with pytest.raises(ReleaseError, match=r"^nb, cell 3") as info:
        release_source(src, "nb, cell 3", "ex")
    assert words in str(info.value)


def test_check_cells_are_recognised():
    assert check_name('check("greeting-app")') == "greeting-app"
    assert check_name("# graded\n\n  check( 'x_1' ) ;\n") == "x_1"
    assert check_name('check("a")\ncheck("b")') is None
    assert check_name('print(check("a"))') is None
    assert check_name("check(\"a')") is None
    assert CHECK_CELL.match('check("a")')


# ---- one notebook ----------------------------------------------------------------------------


def test_notebook_is_stubbed_cleaned_and_check_cells_locked():
    tagged = new_code_cell('check("hello")', metadata={"tags": ["keep", "check"]})
    nb = solution(check="")
    nb.cells.append(tagged)
    nb.cells[1].outputs = [new_output("stream", text="hi\n")]
    nb.cells[1].execution_count = 7
    nb.cells[1].metadata["execution"] = {"iopub.status.idle": "2024"}
    before = render(nb)

    out = release_notebook(nb, LESSON, REGISTRY, hints=HINTS)
    assert render(nb) == before, "the solution notebook is left as it was"
    assert out.metadata["course"] == {"lesson": LESSON}
    assert out.metadata["kernelspec"]["name"] == "python3"
    assert [c.id for c in out.cells] == [c.id for c in nb.cells]
    assert out.cells[0] == nb.cells[0]
    code = out.cells[1]
    assert (code.outputs, code.execution_count, dict(code.metadata)) == ([], None, {})
    assert "NotImplementedError" in code.source and "### " not in code.source
    check = out.cells[2]
    assert check.metadata == {"editable": False, "deletable": False, "tags": ["keep", "check"]}
    for cell in out.cells:
        if cell.cell_type == "code":
            parses(cell.source)


def test_cells_that_can_fail_while_a_stub_is_unwritten_are_tagged_so_run_all_goes_on():
    setup = new_code_cell("import course\nfrom course import check, hint")
    top_level = new_code_cell("### BEGIN SOLUTION\nanswer = 42\n### END SOLUTION")
    try_it = new_code_cell("await app({}, None, None)")
    already = new_code_cell("x = 1", metadata={"tags": [MAY_FAIL]})
    nb = solution(try_it, top_level, already)
    nb.cells.insert(1, setup)
    nb.cells.append(new_code_cell("print('after the last check')"))

    out = release_notebook(nb, LESSON, REGISTRY, hints=HINTS)
    tags = [c.metadata.get("tags", []) for c in out.cells if c.cell_type == "code"]
    assert tags == [
        [],  # the setup, before any stub: it must not fail
        [],  # only defines app: the stub inside runs when app is called
        [MAY_FAIL],  # calls app
        [MAY_FAIL],  # its stub runs when the cell does
        [MAY_FAIL],  # tagged once
        ["check"],  # locked, and it never raises: it reports
        [MAY_FAIL],
    ]
    assert "'Write your answer here. Stuck? Run hint(\"hello\")'" in out.cells[4].source


def test_each_answer_belongs_to_the_next_check_cell():
    registry = {**REGISTRY, "bye": SimpleNamespace(name="bye", lesson=LESSON)}
    second = new_code_cell("def bye():\n    ### BEGIN SOLUTION\n    pass\n    ### END SOLUTION")
    nb = solution(new_code_cell('check("hello")'), second, check='check("bye")')

    out = release_notebook(nb, LESSON, registry, hints={**HINTS, "bye": ("wave",)})
    assert 'hint("hello")' in out.cells[1].source
    assert 'Write bye() here. Stuck? Run hint("bye")' in out.cells[3].source


def test_an_answer_needs_a_check_cell_after_it_and_hints_for_its_exercise():
    late = new_code_cell("def f():\n    ### BEGIN SOLUTION\n    pass\n    ### END SOLUTION")
    nb = solution()
    nb.cells.append(late)
    with pytest.raises(ReleaseError, match=r"cell 4 .*an answer after the last check cell"):
        release_notebook(nb, LESSON, REGISTRY, hints=HINTS)
    with pytest.raises(ReleaseError, match=r"cell 2 .*'hello' has no hints in course/checks/"):
        release_notebook(solution(), LESSON, REGISTRY, hints={"later": ("x",)})


def test_no_hint_reaches_a_released_notebook():
    text = render(release_notebook(solution(), LESSON, REGISTRY, hints=HINTS))
    assert not [h for hints in HINTS.values() for h in hints if h in text]


def test_released_code_that_does_not_compile_is_an_error():
    fine = new_code_cell("%timeit x\n!ls\nawait thing()")
    nb = solution(fine)
    assert release_notebook(nb, LESSON, REGISTRY, hints=HINTS)
    with pytest.raises(ReleaseError, match=r"cell 3 .*released code is invalid"):
        release_notebook(solution(new_code_cell("x = ("), fine), LESSON, REGISTRY, hints=HINTS)


@pytest.mark.parametrize(
    ("check", "message"),
    [
        ("", "no check cell for exercise 'hello'"),
        ('check("nope")', "check('nope'): there is no such exercise"),
        ('check("later")', "check('later') belongs to lesson '02-other'"),
    ],
)
def test_check_cells_must_match_the_registry(check: str, message: str):
    with pytest.raises(ReleaseError, match=f"^{LESSON}.ipynb: ") as info:
        release_notebook(solution(check=check), LESSON, REGISTRY, hints=HINTS)
    assert message in str(info.value)


def test_a_check_cell_twice_is_an_error():
    with pytest.raises(ReleaseError, match="appears 2 times"):
        release_notebook(solution(new_code_cell("check('hello')")), LESSON, REGISTRY, hints=HINTS)


def test_render_is_deterministic_nbformat_json():
    nb = solution()
    text = render(release_notebook(nb, LESSON, REGISTRY, hints=HINTS))
    assert text == render(release_notebook(nb, LESSON, REGISTRY, hints=HINTS))
    assert text.endswith("}\n") and json.loads(text)["nbformat"] == 4


# ---- the command -----------------------------------------------------------------------------


def test_write_then_check_is_up_to_date(repo: Path, capsys):
    assert run(repo) == 0
    written = repo / "exercises" / f"{LESSON}.ipynb"
    assert f"wrote exercises/{LESSON}.ipynb" in capsys.readouterr().out
    first = written.read_bytes()
    assert first.endswith(b"\n")
    nb = nbformat.read(written, as_version=4)
    assert nb.metadata["course"] == {"lesson": LESSON}
    assert nb.cells[-1].metadata == {"editable": False, "deletable": False, "tags": ["check"]}

    written.unlink()
    assert run(repo) == 0
    assert written.read_bytes() == first, "two runs give the same bytes"
    assert run(repo, "--check") == 0
    assert capsys.readouterr().out.endswith("exercises/ is up to date (1 notebooks)\n")


def test_check_names_a_hand_edited_exercise(repo: Path, capsys):
    run(repo)
    written = repo / "exercises" / f"{LESSON}.ipynb"
    before = written.read_bytes()
    written.write_bytes(before.replace(b"YOUR CODE HERE", b"MY CODE HERE"))
    capsys.readouterr()
    assert run(repo, "--check") == 1
    out = capsys.readouterr().out
    assert f"out of date: exercises/{LESSON}.ipynb" in out
    assert "exercises/ is out of date: run `make exercises`" in out
    assert written.read_bytes() != before, "--check writes nothing"


def test_check_notices_an_edited_solution_and_a_missing_exercise(repo: Path, capsys):
    run(repo)
    src = repo / "solutions" / f"{LESSON}.ipynb"
    nb = nbformat.read(src, as_version=4)
    nb.cells[0].source = "# Lesson *one*, edited"
    nbformat.write(nb, src)
    nbformat.write(
        new_notebook(cells=[new_markdown_cell("# New")]), repo / "solutions" / "03-new.ipynb"
    )
    capsys.readouterr()
    assert run(repo, "--check") == 1
    out = capsys.readouterr().out
    assert f"out of date: exercises/{LESSON}.ipynb" in out
    assert "missing: exercises/03-new.ipynb" in out
    assert not (repo / "exercises" / "03-new.ipynb").exists()


def test_an_exercise_without_a_solution_is_reported_then_removed(repo: Path, capsys):
    run(repo)
    extra = repo / "exercises" / "09-gone.ipynb"
    extra.write_text("{}")
    (repo / "exercises" / "README.md").write_text("not a notebook")
    capsys.readouterr()
    assert run(repo, "--check") == 1
    assert "extra (no solution): exercises/09-gone.ipynb" in capsys.readouterr().out
    assert extra.exists()
    assert run(repo) == 0
    assert "removed exercises/09-gone.ipynb" in capsys.readouterr().out
    assert not extra.exists()
    assert (repo / "exercises" / "README.md").exists()
    assert run(repo, "--check") == 0


@pytest.mark.parametrize("check", [False, True])
def test_a_release_error_exits_2_and_writes_nothing(repo: Path, capsys, check: bool):
    nbformat.write(solution(check=""), repo / "solutions" / f"{LESSON}.ipynb")
    assert run(repo, *(["--check"] if check else [])) == 2
    err = capsys.readouterr().err
    assert f"solutions/{LESSON}.ipynb: no check cell for exercise 'hello'" in err
    assert not (repo / "exercises").exists()


def test_missing_solutions_folder_exits_2(tmp_path: Path, capsys):
    assert main(["--solutions", str(tmp_path / "nope"), "--exercises", str(tmp_path)]) == 2
    assert "no such folder" in capsys.readouterr().err
