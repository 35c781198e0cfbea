"""The business clock handlers read "now" from: the wall clock, or one tests can move."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

Clock = Callable[[], datetime]


def wall_clock() -> datetime:
    return datetime.now(timezone.utc)


class FileClock:
    """`now` is the ISO 8601 instant written in a file, re-read on every call.

    A test moves time by rewriting the file; while the file is missing or empty, the wall
    clock runs. (Only the business rules use it: SigV4 checks keep the real time, so
    clients need no patching.)
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def __call__(self) -> datetime:
        try:
            text = self.path.read_text().strip()
        except FileNotFoundError:
            text = ""
        if not text:
            return wall_clock()
        moment = datetime.fromisoformat(text)
        if moment.tzinfo is None:
            raise ValueError(
                f"{self.path}: the instant needs a time zone (e.g. a final Z)"
            )
        return moment.astimezone(timezone.utc)


def to_millis(moment: datetime) -> int:
    """Epoch milliseconds: how timestamps are stored (millisecond precision, as AWS)."""
    return int(round(moment.timestamp() * 1000))


def from_millis(millis: int) -> datetime:
    return datetime.fromtimestamp(millis / 1000, tz=timezone.utc)
