"""course.authoring.release: solution notebooks in, locked and stubbed exercise notebooks out."""

import ast
import json
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from course.authoring.release import (
    ReleaseError,
    main,
    release_notebook,
    release_source,
    render,
)
from course.checking.cells import CHECK_CELL, check_name

LESSON = "01-demo"
REGISTRY = {
    "hello": SimpleNamespace(name="hello", lesson=LESSON),
    "later": SimpleNamespace(name="later", lesson="02-other"),
}

ANSWER = """\
import json

async def app(scope, receive, send):
    ### BEGIN SOLUTION
    ### HINT: read scope["query_string"]; it is bytes
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
    return main([*argv, *args], registry=REGISTRY)


# ---- one cell --------------------------------------------------------------------------------


def test_region_becomes_a_hinted_stub_at_the_marker_indentation():
    out = release_source(ANSWER, "here")
    assert out == (
        "import json\n\nasync def app(scope, receive, send):\n"
        "    # YOUR CODE HERE\n"
        """    raise NotImplementedError('read scope["query_string"]; it is bytes')\n"""
        "    return body\n"
    )
    parses(out)


def test_hint_lines_are_joined_and_quotes_and_backslashes_stay_safe():
    src = (
        "### BEGIN SOLUTION\n"
        '### HINT:   it\'s "quoted"  \n'
        "x = 1\n"
        "### HINT: and a \\n backslash\n"
        "### END SOLUTION"
    )
    out = release_source(src, "here")
    lines = out.split("\n")
    assert lines[0] == "# YOUR CODE HERE"
    call = ast.parse(out).body[0].exc  # type: ignore[attr-defined]
    assert call.args[0].value == 'it\'s "quoted" and a \\n backslash'


def test_two_regions_in_one_cell_and_code_outside_untouched():
    src = (
        "def f():\n    ### BEGIN SOLUTION\n    ### HINT: one\n    return 1\n    ### END SOLUTION\n"
        "\n# keep me\nclass C:\n    def g(self):\n"
        "        ### BEGIN SOLUTION\n        ### HINT: two\n        return 2\n"
        "        ### END SOLUTION\n"
    )
    out = release_source(src, "here")
    assert out == (
        "def f():\n    # YOUR CODE HERE\n    raise NotImplementedError('one')\n"
        "\n# keep me\nclass C:\n    def g(self):\n"
        "        # YOUR CODE HERE\n        raise NotImplementedError('two')\n"
    )
    parses(out)
    assert release_source("x = 1\n# ### not a marker\n", "here") == "x = 1\n# ### not a marker\n"


@pytest.mark.parametrize(
    ("src", "words"),
    [
        ("### BEGIN SOLUTION\nx = 1\n### END SOLUTION", "HINT"),
        ("### BEGIN SOLUTION\n### HINT:\n### END SOLUTION", "HINT"),
        ("x = 1\n### END SOLUTION", "line 2: ### END SOLUTION without"),
        ("### BEGIN SOLUTION\n### HINT: h\nx = 1", "line 1: ### BEGIN SOLUTION without"),
        ("### BEGIN SOLUTION\n  ### BEGIN SOLUTION\n### HINT: h\n### END SOLUTION", "inside"),
        ("### HINT: stray\nx = 1", "outside"),
    ],
)
def test_bad_markers_are_errors_that_say_where(src: str, words: str):
    with pytest.raises(ReleaseError, match=r"^nb, cell 3") as info:
        release_source(src, "nb, cell 3")
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

    out = release_notebook(nb, LESSON, REGISTRY)
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


def test_released_code_that_does_not_compile_is_an_error():
    fine = new_code_cell("%timeit x\n!ls\nawait thing()")
    nb = solution(fine)
    assert release_notebook(nb, LESSON, REGISTRY)
    with pytest.raises(ReleaseError, match=r"cell 3 .*released code is invalid"):
        release_notebook(solution(new_code_cell("x = ("), fine), LESSON, REGISTRY)


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
        release_notebook(solution(check=check), LESSON, REGISTRY)
    assert message in str(info.value)


def test_a_check_cell_twice_is_an_error():
    with pytest.raises(ReleaseError, match="appears 2 times"):
        release_notebook(solution(new_code_cell("check('hello')")), LESSON, REGISTRY)


def test_render_is_deterministic_nbformat_json():
    nb = solution()
    text = render(release_notebook(nb, LESSON, REGISTRY))
    assert text == render(release_notebook(nb, LESSON, REGISTRY))
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
    nbformat.write(solution(check=""), repo / "solutions" / "03-new.ipynb")
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
