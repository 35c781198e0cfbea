"""Helpers for the effective-policy tests (`tests/test_effective*.py`): an organization's
policies set up as a management account does it, and the effective policy read back.

`Policies` wraps one organization: enable a type in its root, create management
policies, attach and detach them, move accounts, ask DescribeEffectivePolicy.
"""

from __future__ import annotations

import json
import secrets
import string
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from support.world import UTC, Org, World

__all__ = ["Policies", "tag_policy"]


def tag_policy(body: dict[str, Any]) -> str:
    """A TAG_POLICY document's text: `body` under "tags"."""
    return json.dumps({"tags": body})


@dataclass
class Policies:
    """One organization's policies, managed by its management account."""

    world: World
    org: Org
    root_id: str = ""
    _names: int = field(default=0, repr=False)

    def __post_init__(self) -> None:
        roots = self.org.manager.client.list_roots()["Roots"]
        self.root_id = roots[0]["Id"]

    # -- the time of a change (E8) ------------------------------------------------------

    def _now_ms(self) -> int:
        clock = getattr(self.world, "_clock", None)
        now = clock.now() if clock is not None else datetime.now(UTC)
        return int(now.timestamp() * 1000)

    # -- policy types, policies, attachments ------------------------------------------------

    def enable(self, policy_type: str = "TAG_POLICY") -> None:
        """EnablePolicyType in the root."""
        self.world.execute(
            "INSERT INTO enabled_policy_types (organization_id, policy_type, seq)"
            " SELECT ?, ?, COALESCE(MAX(seq), 0) + 1 FROM enabled_policy_types"
            " WHERE organization_id = ?",
            self.org.id,
            policy_type,
            self.org.id,
        )

    def disable(self, policy_type: str = "TAG_POLICY") -> None:
        """DisablePolicyType: the type and its attachments go (P6)."""
        self.world.execute(
            "DELETE FROM enabled_policy_types"
            " WHERE organization_id = ? AND policy_type = ?",
            self.org.id,
            policy_type,
        )
        self.world.execute(
            "DELETE FROM policy_attachments"
            " WHERE organization_id = ? AND policy_type = ?",
            self.org.id,
            policy_type,
        )

    def create(self, content: str, policy_type: str = "TAG_POLICY") -> str:
        """CreatePolicy; the new policy's id."""
        self._names += 1
        policy_id = "p-" + "".join(
            secrets.choice(string.ascii_lowercase + string.digits) for _ in range(10)
        )
        now = self._now_ms()
        self.world.execute(
            "INSERT INTO policies (id, organization_id, policy_type, name, description,"
            " content, created_at, content_changed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            policy_id,
            self.org.id,
            policy_type,
            f"policy {self._names}",
            "",
            content,
            now,
            now,
        )
        return policy_id

    def update(self, policy_id: str, content: str) -> None:
        """UpdatePolicy with new content."""
        self.world.execute(
            "UPDATE policies SET content = ?, content_changed_at = ? WHERE id = ?",
            content,
            self._now_ms(),
            policy_id,
        )

    def _changed(self, target_id: str, policy_type: str) -> None:
        now = self._now_ms()
        self.world.execute(
            "DELETE FROM policy_target_changes WHERE target_id = ? AND policy_type = ?",
            target_id,
            policy_type,
        )
        self.world.execute(
            "INSERT INTO policy_target_changes (target_id, policy_type, changed_at)"
            " VALUES (?, ?, ?)",
            target_id,
            policy_type,
            now,
        )

    def _type_of(self, policy_id: str) -> str:
        rows = self.world.rows(
            "SELECT policy_type FROM policies WHERE id = ?", policy_id
        )
        return str(rows[0]["policy_type"])

    def attach(self, policy_id: str, target_id: str) -> None:
        """AttachPolicy."""
        policy_type = self._type_of(policy_id)
        self.world.execute(
            "INSERT INTO policy_attachments"
            " (organization_id, target_id, policy_id, policy_type, seq, attached_at)"
            " SELECT ?, ?, ?, ?, COALESCE(MAX(seq), 0) + 1, ? FROM policy_attachments"
            " WHERE organization_id = ?",
            self.org.id,
            target_id,
            policy_id,
            policy_type,
            self._now_ms(),
            self.org.id,
        )
        self._changed(target_id, policy_type)

    def detach(self, policy_id: str, target_id: str) -> None:
        """DetachPolicy."""
        policy_type = self._type_of(policy_id)
        self.world.execute(
            "DELETE FROM policy_attachments WHERE target_id = ? AND policy_id = ?",
            target_id,
            policy_id,
        )
        self._changed(target_id, policy_type)

    def attach_new(
        self, content: str, target_id: str, policy_type: str = "TAG_POLICY"
    ) -> str:
        """CreatePolicy, then AttachPolicy to `target_id`; the policy's id."""
        policy_id = self.create(content, policy_type)
        self.attach(policy_id, target_id)
        return policy_id

    # -- the tree ---------------------------------------------------------------------------

    def ou(self, name: str, parent_id: str | None = None) -> str:
        """CreateOrganizationalUnit; its id."""
        created: str = self.org.manager.client.create_organizational_unit(
            ParentId=parent_id or self.root_id, Name=name
        )["OrganizationalUnit"]["Id"]
        return created

    def move(self, account_id: str, destination: str) -> None:
        """MoveAccount from wherever the account is."""
        client = self.org.manager.client
        source = client.list_parents(ChildId=account_id)["Parents"][0]["Id"]
        client.move_account(
            AccountId=account_id, SourceParentId=source, DestinationParentId=destination
        )

    # -- reading -----------------------------------------------------------------------------

    def effective(
        self, target_id: str | None = None, policy_type: str = "TAG_POLICY"
    ) -> dict[str, Any]:
        """DescribeEffectivePolicy by the management account: the EffectivePolicy."""
        params: dict[str, Any] = {"PolicyType": policy_type}
        if target_id is not None:
            params["TargetId"] = target_id
        found: dict[str, Any] = self.org.manager.client.describe_effective_policy(
            **params
        )["EffectivePolicy"]
        return found

    def content(self, target_id: str, policy_type: str = "TAG_POLICY") -> str:
        """The effective policy's PolicyContent."""
        return str(self.effective(target_id, policy_type)["PolicyContent"])
