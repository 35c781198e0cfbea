"""Generation is byte-identical run after run, and a re-run rewrites nothing."""

from __future__ import annotations

from pathlib import Path

from codegen.generate import DEFAULT_OUT, SHIPPED, generate
from codegen.render import FILES


def _tree(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*.py"))
    }


def test_two_fresh_runs_are_byte_identical(tmp_path: Path) -> None:
    first, second = tmp_path / "one", tmp_path / "two"
    generate(["organizations"], first)
    generate(["organizations"], second)
    assert _tree(first) == _tree(second)
    assert (
        len(_tree(first)) == len(FILES) + 1
    )  # the package's files and the root __init__


def test_a_second_run_rewrites_no_file(tmp_path: Path) -> None:
    out = tmp_path / "gen"
    assert generate(["organizations"], out).written
    stamps = {p: p.stat().st_mtime_ns for p in out.rglob("*.py")}
    again = generate(["organizations"], out)
    assert again.written == [] and again.unchanged == len(stamps)
    assert stamps == {p: p.stat().st_mtime_ns for p in out.rglob("*.py")}


def test_the_committed_package_is_fresh() -> None:
    result = generate(list(SHIPPED), DEFAULT_OUT, check=True)
    assert result.stale == []


def test_check_names_edited_missing_and_extra_files(tmp_path: Path) -> None:
    out = tmp_path / "gen"
    generate(["organizations"], out)
    models = out / "organizations" / "models.py"
    models.write_text(models.read_text() + "\n# a hand edit\n")
    (out / "organizations" / "errors.py").unlink()
    (out / "organizations" / "leftover.py").write_text("")
    stale = generate(["organizations"], out, check=True).stale
    assert sorted(p.name for p in stale) == ["errors.py", "leftover.py", "models.py"]
    # Regenerating repairs the edited and missing files.
    generate(["organizations"], out)
    (out / "organizations" / "leftover.py").unlink()
    assert generate(["organizations"], out, check=True).stale == []
