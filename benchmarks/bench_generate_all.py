"""`botogen generate --all` benchmark: prints figures, asserts only what it measures.

- cold: every service of the pinned botocore into an empty folder (unformatted, the
  default of --all), wall time and peak memory (the sum of the resident sets of the
  command and its workers, sampled every 50 ms);
- warm: the same again over its own output (nothing changed, nothing written);
- one shape changed: Organizations' model with one pattern edited, through
  --search-path: `generate --all` again (only Organizations' files are rewritten), and
  `generate organizations` alone, formatted as the project ships it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from codegen.source import load  # noqa: E402


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo += children.get(current, [])
    return found


def _rss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def run(args: list[str]) -> tuple[float, float, str]:
    """Wall seconds, peak MiB of the process tree, and stdout of `botogen ARGS`."""
    command = [sys.executable, "-m", "botogen.cli", *args]
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    peak = 0
    while process.poll() is None:
        peak = max(peak, sum(_rss_kib(pid) for pid in _descendants(process.pid)))
        time.sleep(0.05)
    elapsed = time.perf_counter() - started
    stdout = process.stdout.read() if process.stdout else ""
    if process.returncode != 0:
        raise SystemExit(f"botogen {' '.join(args)} failed:\n{stdout}")
    return elapsed, peak / 1024, stdout


def main() -> None:
    cores = os.cpu_count()
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "aws_all"
        cold, peak, summary = run(["generate", "--all", "--out", str(out)])
        print(
            f"generate --all, cold ({cores} cores):  {cold:6.1f} s  peak {peak:6.0f} MiB"
        )
        print(f"    {summary.strip().splitlines()[-1]}")
        lines = sum(p.read_text().count("\n") for p in out.rglob("*.py"))
        print(f"    {lines:,} lines of Python")
        warm, peak, summary = run(["generate", "--all", "--out", str(out)])
        print(f"generate --all, warm (no change):  {warm:6.1f} s  peak {peak:6.0f} MiB")

        source = load("organizations")
        model = json.loads(json.dumps(source.model))
        model["shapes"]["HandshakeId"]["pattern"] = "^h-[0-9a-z]{8,40}$"
        data = Path(folder) / "data"
        target = data / source.name / source.api_version
        target.mkdir(parents=True)
        (target / "service-2.json").write_text(json.dumps(model))
        edited, peak, summary = run(
            ["generate", "--all", "--out", str(out), "--search-path", str(data)]
        )
        written = [line for line in summary.splitlines() if "the model changed" in line]
        print(
            f"generate --all, one shape changed: {edited:6.1f} s  peak {peak:6.0f} MiB  "
            f"({summary.strip().splitlines()[-1]})"
        )
        print(f"    reports: {written}")

        shipped = Path(folder) / "shipped"
        run(["generate", "organizations", "--out", str(shipped)])
        one, peak, summary = run(
            [
                "generate",
                "organizations",
                "--out",
                str(shipped),
                "--search-path",
                str(data),
            ]
        )
        rewritten = [
            line.split("/")[-1] for line in summary.splitlines() if "wrote" in line
        ]
        print(
            f"generate organizations (formatted), one shape changed: {one:5.2f} s  "
            f"peak {peak:4.0f} MiB; rewritten: {', '.join(rewritten)}"
        )


if __name__ == "__main__":
    main()
