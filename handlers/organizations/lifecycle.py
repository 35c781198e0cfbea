"""States that follow from stored times and the business clock (organizations.md C3).

Nothing here is persisted by a background worker: an account's `State` and a
create-account request's `State` are worked out whenever they are read, from the
instants stored when something was asked for (epoch milliseconds) and `now`, the
business clock. Turning the clock back therefore shows the earlier State again; only
what a stored row says (a fixture's State, an account row that exists) is permanent.

**A create-account request** (A5, A6, M1) is decided when it is made: its `outcome`
(SUCCEEDED or FAILED, with a failure reason) is stored together with `completes_at` =
requested + `create_account_delay_ms`. Before that instant it is IN_PROGRESS; from that
very millisecond on (as R6's expiry, the instant included) it shows its outcome, with
`completes_at` as its CompletedTimestamp.

**An account** (A2, A20, A21, A23) starts from its stored `state` column: ACTIVE, or
what a fixture set (PENDING_ACTIVATION, SUSPENDED, ...). The closure timeline, when its
columns are set (by CloseAccount), overrides it stage by stage:

    closed_at <= now   → PENDING_CLOSURE   (the CloseAccount call, t0)
    suspends_at <= now → SUSPENDED         (t0 + close delay, M3)
    closes_at <= now   → CLOSED            (t0 + 90 days, A21)

(`departs_at`, the departure after CLOSED, removes the account from its organization:
that is a change of membership, not a State, so it is not derived here.) The columns
may be absent from a row (a query that did not select them): absent means not set.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

__all__ = [
    "CLOSED_STATES",
    "IN_PROGRESS",
    "account_state",
    "completed",
    "counts_toward_limit",
    "request_state",
]

IN_PROGRESS: Final = "IN_PROGRESS"
#: Z3: a caller in one of these States is refused everything (AccessDenied).
CLOSED_STATES: Final = frozenset({"SUSPENDED", "CLOSED"})

#: The closure timeline: (column, the State from that instant on), in order (A20, A21).
_TIMELINE: Final = (
    ("closed_at", "PENDING_CLOSURE"),
    ("suspends_at", "SUSPENDED"),
    ("closes_at", "CLOSED"),
)


def account_state(row: Mapping[str, Any], now: int) -> str:
    """The account's State at `now` (A2): its stored `state`, overridden by the last
    closure stage whose instant has come."""
    columns = set(row.keys())
    state = str(row["state"] if "state" in columns and row["state"] else "ACTIVE")
    for column, stage in _TIMELINE:
        at = row[column] if column in columns else None
        if at is not None and at <= now:
            state = stage
    return state


def counts_toward_limit(state: str) -> bool:
    """H5: every account of the organization counts until it is CLOSED (A21)."""
    return state != "CLOSED"


def request_state(row: Mapping[str, Any], now: int) -> str:
    """A create-account request's State at `now` (M1): IN_PROGRESS before
    `completes_at`, its decided `outcome` from that instant on."""
    if now < row["completes_at"]:
        return IN_PROGRESS
    return str(row["outcome"])


def completed(row: Mapping[str, Any], now: int) -> bool:
    return request_state(row, now) != IN_PROGRESS
