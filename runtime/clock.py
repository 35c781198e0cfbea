"""The business clock handlers read "now" from: the wall clock, or one tests can move."""

from __future__ import annotations

import os
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
        return parse_instant(text, str(self.path))

    def set(self, moment: datetime | None) -> None:
        """Move the clock to `moment` (None: back to the wall clock), atomically for
        every process that reads the file."""
        text = "" if moment is None else moment.astimezone(timezone.utc).isoformat()
        partial = self.path.with_name(f".{self.path.name}.{os.getpid()}.partial")
        partial.write_text(text)
        os.replace(partial, self.path)

    def is_set(self) -> bool:
        try:
            return bool(self.path.read_text().strip())
        except FileNotFoundError:
            return False


def parse_instant(text: str, where: str = "instant") -> datetime:
    """An ISO 8601 instant with a time zone; ValueError (naming `where`) otherwise."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{where}: not an ISO 8601 instant: {text[:64]!r}") from None
    if moment.tzinfo is None:
        raise ValueError(f"{where}: the instant needs a time zone (e.g. a final Z)")
    try:
        return moment.astimezone(timezone.utc)
    except OverflowError:
        raise ValueError(f"{where}: out of range: {text[:64]!r}") from None


def to_millis(moment: datetime) -> int:
    """Epoch milliseconds: how timestamps are stored (millisecond precision, as AWS)."""
    return int(round(moment.timestamp() * 1000))


def from_millis(millis: int) -> datetime:
    return datetime.fromtimestamp(millis / 1000, tz=timezone.utc)
