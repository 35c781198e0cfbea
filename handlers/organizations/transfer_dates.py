"""The dates of a responsibility transfer (organizations.md X2, X10), in UTC.

Instants are epoch milliseconds (AWS's precision; the request's timestamps are taken to
the nearest millisecond, as `runtime.clock.to_millis` stores every instant). Calendar
questions (which day, which month) are answered in UTC, whatever offset the caller
wrote: on the wire every timestamp is epoch seconds.

- **X2 StartTimestamp**, in this order: not the first day of a month →
  START_DATE_NOT_BEGINNING_OF_MONTH; the first day but not 00:00:00.000 →
  START_DATE_NOT_BEGINNING_OF_DAY; not more than 24 hours ahead → START_DATE_TOO_EARLY;
  more than 12 months ahead → START_DATE_TOO_LATE.
- **X10 EndTimestamp**, in this order: not 23:59:59.999 on a month's last day →
  END_DATE_NOT_END_OF_MONTH; before now → END_DATE_TOO_EARLY; more than 12 months
  ahead → END_DATE_TOO_LATE. (Before the transfer's start is END_DATE_TOO_EARLY too,
  checked by the operation once it has read the transfer, `check_end_after_start`.)
  Absent, it is the last millisecond of the current month, or of the start's month when
  that is later (`default_end`).

"12 months ahead" is the same day and time 12 calendar months on (the 29th of February
becomes the 28th), and an instant past the year 9999 is never "ahead" of anything: no
arithmetic here leaves Python's calendar, whatever the clock or the request says.
"""

from __future__ import annotations

import calendar
from datetime import datetime, timedelta, timezone
from typing import Final

from generated.organizations.errors import InvalidInputException
from generated.organizations.shapes import InvalidInputExceptionReason as InputReason
from handlers.organizations.store import DAY_MS
from runtime.clock import to_millis

__all__ = [
    "MONTHS_AHEAD",
    "check_end",
    "check_end_after_start",
    "check_start",
    "default_end",
]

#: DECIDED (X2, X10): how far ahead a start or an end date may be, in months.
MONTHS_AHEAD: Final = 12
#: C6: InvalidInputException carries the first sentence of its Reason's text.
INVALID_START: Final = "You provided an invalid start date."
INVALID_END: Final = "You provided an invalid end date."

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=timezone.utc)
_LAST_YEAR: Final = 9999
#: 9999-12-31T23:59:59.999Z, the last millisecond of Python's calendar.
_LAST_MILLISECOND: Final = 253402300799999


def _moment(millis: int) -> datetime:
    """Epoch milliseconds as a UTC datetime, exactly (no float on the way). An instant
    that rounded past the last millisecond of 9999 reads as that millisecond, for its
    calendar day (its own value, compared, is still past it)."""
    return _EPOCH + timedelta(milliseconds=min(millis, _LAST_MILLISECOND))


def _last_millisecond(year: int, month: int) -> int:
    last_day = calendar.monthrange(year, month)[1]
    return to_millis(datetime(year, month, last_day, 23, 59, 59, 999000, timezone.utc))


def _months_ahead(now: int) -> int | None:
    """The instant `MONTHS_AHEAD` calendar months after `now` (None: past 9999)."""
    moment = _moment(now)
    year, month = divmod(moment.year * 12 + moment.month - 1 + MONTHS_AHEAD, 12)
    if year > _LAST_YEAR:
        return None
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return to_millis(moment.replace(year=year, month=month + 1, day=day))


def _too_late(instant: int, now: int) -> bool:
    latest = _months_ahead(now)
    return latest is not None and instant > latest


def check_start(start: datetime, now: int) -> int:
    """X2's checks of StartTimestamp (module docstring); the start in milliseconds.

    DECIDED: exactly 24 hours ahead is too early as well. The invitation expires 24
    hours before the start (X4), so it would be born expired and nobody could answer
    it."""
    millis = to_millis(start)
    moment = _moment(millis)
    if moment.day != 1:
        raise _invalid(INVALID_START, InputReason.START_DATE_NOT_BEGINNING_OF_MONTH)
    if (moment.hour, moment.minute, moment.second, moment.microsecond) != (0, 0, 0, 0):
        raise _invalid(INVALID_START, InputReason.START_DATE_NOT_BEGINNING_OF_DAY)
    if millis - now <= DAY_MS:
        raise _invalid(INVALID_START, InputReason.START_DATE_TOO_EARLY)
    if _too_late(millis, now):
        raise _invalid(INVALID_START, InputReason.START_DATE_TOO_LATE)
    return millis


def check_end(end: datetime, now: int) -> int:
    """X10's checks of an EndTimestamp given (module docstring); the end in
    milliseconds."""
    millis = to_millis(end)
    moment = _moment(millis)
    if millis != _last_millisecond(moment.year, moment.month):
        raise _invalid(INVALID_END, InputReason.END_DATE_NOT_END_OF_MONTH)
    if millis < now:
        raise _invalid(INVALID_END, InputReason.END_DATE_TOO_EARLY)
    if _too_late(millis, now):
        raise _invalid(INVALID_END, InputReason.END_DATE_TOO_LATE)
    return millis


def check_end_after_start(end: int, start: int) -> None:
    """X10: an end before the transfer's start is END_DATE_TOO_EARLY."""
    if end < start:
        raise _invalid(INVALID_END, InputReason.END_DATE_TOO_EARLY)


def default_end(now: int, start: int) -> int:
    """X10: the last millisecond of the current month, or of the start's month when
    that is later."""
    moment = _moment(max(now, start))
    return _last_millisecond(moment.year, moment.month)


def _invalid(sentence: str, reason: InputReason) -> InvalidInputException:
    return InvalidInputException(sentence, reason=reason)
