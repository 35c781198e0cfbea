"""Delegation policies for the tests (organizations.md D11, D12): statements, documents,
and putting one through the management account's client."""

from __future__ import annotations

import json
from typing import Any

from support.world import Org


def statement(
    member: Any,
    actions: str | list[str],
    resources: str | list[str] | None = "*",
    *,
    effect: str = "Allow",
    condition: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A statement naming `member` (an Actor or an account id) as
    `arn:aws:iam::<id>:root`; `resources` None leaves `Resource` out."""
    account_id = member if isinstance(member, str) else member.id
    found: dict[str, Any] = {
        "Effect": effect,
        "Principal": {"AWS": f"arn:aws:iam::{account_id}:root"},
        "Action": actions,
    }
    if resources is not None:
        found["Resource"] = resources
    if condition is not None:
        found["Condition"] = condition
    return found


def document(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def delegate(org: Org, *statements: dict[str, Any], **params: Any) -> dict[str, Any]:
    """The management account puts a delegation policy of `statements`; returns its
    ResourcePolicy."""
    put: dict[str, Any] = org.manager.client.put_resource_policy(
        Content=document(*statements), **params
    )["ResourcePolicy"]
    return put


def arn(org: Org, kind: str, *parts: str) -> str:
    """C2: `arn:aws:organizations::<management account>:<kind>/<org id>/<parts…>`."""
    return "/".join([f"arn:aws:organizations::{org.manager.id}:{kind}", org.id, *parts])
