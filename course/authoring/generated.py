"""Writing a generated document, or checking that the committed one is up to date."""

from pathlib import Path

from course._paths import REPO_ROOT


def write_or_check(doc: Path, text: str, argv: list[str], command: str) -> int:
    """Write *text* to *doc*; with ``--check``, only compare (1 when stale, naming *command*)."""
    if argv == ["--check"]:
        if doc.exists() and doc.read_text() == text:
            print(f"{doc.name} is up to date")
            return 0
        print(f"{doc.name} is out of date: run `{command}`")
        return 1
    doc.write_text(text)
    print(f"wrote {doc.relative_to(REPO_ROOT)}")
    return 0
