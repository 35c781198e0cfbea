"""Responsibility transfers between fresh organizations, for the transfer tests
(`tests/test_transfers*.py`, organizations.md §11).

Every test sets the business clock to `NOW` (a fixed instant, so that start dates on the
first of a month more than 24 hours ahead are fixed too, `START`) and makes its own
organizations (`World.organization()`): the inviting one is the transfer's **target**,
the invited one its **source** (X1).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from support.world import Org, World, serving

UTC = timezone.utc
#: The business clock of every transfer test (a Monday, mid-month).
NOW = datetime(2031, 3, 10, 12, 0, tzinfo=UTC)
#: The first start date NOW allows: the first of next month.
START = datetime(2031, 4, 1, tzinfo=UTC)
#: The last millisecond of START's month.
END_OF_START_MONTH = datetime(2031, 4, 30, 23, 59, 59, 999000, tzinfo=UTC)
MS = timedelta(milliseconds=1)
DAY = timedelta(days=1)

#: Settings of the transfer servers: one invitation a day and two accounts an
#: organization, so that H8 shows what transfer invitations do not count toward.
FLAGS = ("--daily-invitations", "1", "--account-limit", "2")


@pytest.fixture(scope="module")
def transfer_world(
    engine: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    """A server on a business clock the tests set, with `FLAGS`."""
    folder = tmp_path_factory.mktemp(f"transfers-{engine}")
    with serving(folder, engine, *FLAGS, clock=True) as running:
        yield running


def invite(
    target: Org,
    source: Org,
    *,
    start: datetime = START,
    name: str = "Billing for the source",
    by: str = "ACCOUNT",
    **more: Any,
) -> dict[str, Any]:
    """`target`'s management account invites `source`'s; the handshake."""
    handshake: dict[str, Any] = (
        target.manager.client.invite_organization_to_transfer_responsibility(
            Type="BILLING",
            Target=source.manager.target(by),
            StartTimestamp=start,
            SourceName=name,
            **more,
        )["Handshake"]
    )
    return handshake


def transfer_of(handshake: dict[str, Any]) -> str:
    """The id of the transfer a TRANSFER_RESPONSIBILITY handshake proposes (X4)."""
    for resource in handshake["Resources"]:
        if resource["Type"] == "RESPONSIBILITY_TRANSFER":
            found: str = resource["Value"]
            return found
    raise AssertionError(f"no RESPONSIBILITY_TRANSFER in {handshake['Resources']}")


def accepted(target: Org, source: Org, **params: Any) -> str:
    """An invitation `source` accepts: the transfer's id."""
    handshake = invite(target, source, **params)
    source.manager.client.accept_handshake(HandshakeId=handshake["Id"])
    return transfer_of(handshake)


def described(org: Org, transfer_id: str) -> dict[str, Any]:
    found: dict[str, Any] = org.manager.client.describe_responsibility_transfer(
        Id=transfer_id
    )["ResponsibilityTransfer"]
    return found


def status(org: Org, transfer_id: str) -> str:
    return str(described(org, transfer_id)["Status"])


def pages(call: Callable[..., Any], **params: Any) -> list[list[dict[str, Any]]]:
    """Every page of a transfer listing, following NextToken (bounded)."""
    found: list[list[dict[str, Any]]] = []
    token: str | None = None
    for _ in range(200):
        page = call(**params, **({"NextToken": token} if token else {}))
        found.append(page["ResponsibilityTransfers"])
        token = page.get("NextToken")
        if not token:
            return found
    raise AssertionError("paging did not end after 200 pages")


def inbound(org: Org, **params: Any) -> list[str]:
    """ListInboundResponsibilityTransfers, every page: the ids in order."""
    call = org.manager.client.list_inbound_responsibility_transfers
    return [t["Id"] for page in pages(call, Type="BILLING", **params) for t in page]


def outbound(org: Org, **params: Any) -> list[str]:
    """ListOutboundResponsibilityTransfers, every page: the ids in order."""
    call = org.manager.client.list_outbound_responsibility_transfers
    return [t["Id"] for page in pages(call, Type="BILLING", **params) for t in page]


def at(world: World, moment: datetime) -> datetime:
    """The business clock at `moment`."""
    return world.clock.set(moment)
