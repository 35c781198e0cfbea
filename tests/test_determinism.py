"""Generation is byte-identical run after run, and a re-run rewrites nothing."""

from __future__ import annotations

from pathlib import Path

from codegen.generate import DEFAULT_OUT, SHIPPED, check_report, generate
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
    package = out / "organizations"
    models = package / "models.py"
    models.write_text(models.read_text() + "\n# a hand edit\n")
    (package / "errors.py").unlink()
    # A file an earlier run generated (its header says so) that is no longer produced,
    # and one the generator never wrote.
    (package / "retired.py").write_text(
        (package / "shapes.py").read_text().replace("shapes", "retired", 1)
    )
    (package / "mine.py").write_text("X = 1\n")
    result = generate(["organizations"], out, check=True)
    kinds = {problem.path.name: problem.kind for problem in result.problems}
    assert kinds == {
        "models.py": "edited",
        "errors.py": "missing",
        "retired.py": "extra",
        "mine.py": "foreign",
    }
    lines = check_report(result)
    assert any(
        "models.py: edited;" in line and "make generate" in line for line in lines
    )
    assert any("retired.py: extra; no longer generated" in line for line in lines)
    assert any("mine.py: foreign; not written by botogen" in line for line in lines)
    # Regenerating repairs the edited and missing files and removes what it generated
    # earlier; a file it never wrote stays, and the check keeps naming it.
    regenerated = generate(["organizations"], out)
    assert [p.name for p in regenerated.removed] == ["retired.py"]
    assert not (package / "retired.py").exists() and (package / "mine.py").exists()
    assert [p.kind for p in generate(["organizations"], out, check=True).problems] == [
        "foreign"
    ]
    (package / "mine.py").unlink()
    assert generate(["organizations"], out, check=True).stale == []


def test_check_tells_stale_from_edited(tmp_path: Path) -> None:
    """A file whose recorded rendering differs (the model or templates changed) but whose
    content matches its own digest is stale, not edited."""
    out = tmp_path / "gen"
    generate(["organizations"], out)
    path = out / "organizations" / "operations.py"
    lines = path.read_text().split("\n")
    at = next(
        i for i, line in enumerate(lines) if line.startswith("# botogen-digest: ")
    )
    fields = dict(
        part.split("=", 1) for part in lines[at][len("# botogen-digest: ") :].split()
    )
    lines[at] = f"# botogen-digest: render={'0' * 16} content={fields['content']}"
    path.write_text("\n".join(lines))
    problems = generate(["organizations"], out, check=True).problems
    assert [(p.path.name, p.kind) for p in problems] == [("operations.py", "stale")]
