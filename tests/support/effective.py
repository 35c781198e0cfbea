"""Helpers for the effective-policy tests (`tests/test_effective*.py`): an organization's
policies set up as a management account does it, and the effective policy read back.

`Policies` wraps one organization: enable a type in its root, create management
policies, attach and detach them, move accounts, ask DescribeEffectivePolicy — each
through the management account's boto3 client, as a caller does it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from support.world import Org, World

__all__ = [
    "NOT_FOUND",
    "SIMPLE",
    "SIMPLE_EFFECTIVE",
    "Policies",
    "pages",
    "policies",
    "tag_policy",
]

#: EffectivePolicyNotFoundException's message (C6: its documentation's first sentence).
NOT_FOUND = (
    "If you ran this action on the management account, this policy type is not enabled."
)


def tag_policy(body: dict[str, Any]) -> str:
    """A TAG_POLICY document's text: `body` under "tags"."""
    return json.dumps({"tags": body})


#: A one-setting tag policy and the effective policy it makes alone.
SIMPLE = tag_policy({"team": {"tag_key": {"@@assign": "Team"}}})
SIMPLE_EFFECTIVE = '{"tags":{"team":{"tag_key":"Team"}}}'


def pages(call: Any, member: str, **params: Any) -> tuple[list[Any], int]:
    """Every item of a paged listing and how many pages it took (L5 checked)."""
    found: list[Any] = []
    token = None
    for count in range(1, 100):
        page = call(**params, **({"NextToken": token} if token else {}))
        found.extend(page[member])
        token = page.get("NextToken")
        if not token:
            return found, count
        assert page[member], "L5: a page with a NextToken holds an item"
    raise AssertionError("paging did not end")


@dataclass
class Policies:
    """One organization's policies, managed by its management account."""

    org: Org
    root_id: str = ""
    _names: int = field(default=0, repr=False)

    def __post_init__(self) -> None:
        roots = self.org.manager.client.list_roots()["Roots"]
        self.root_id = roots[0]["Id"]

    # -- policy types, policies, attachments ------------------------------------------------

    def enable(self, policy_type: str = "TAG_POLICY") -> None:
        """EnablePolicyType in the root."""
        self.org.manager.client.enable_policy_type(
            RootId=self.root_id, PolicyType=policy_type
        )

    def disable(self, policy_type: str = "TAG_POLICY") -> None:
        """DisablePolicyType: the type and its attachments go (P6)."""
        self.org.manager.client.disable_policy_type(
            RootId=self.root_id, PolicyType=policy_type
        )

    def create(self, content: str, policy_type: str = "TAG_POLICY") -> str:
        """CreatePolicy; the new policy's id."""
        self._names += 1
        created: str = self.org.manager.client.create_policy(
            Content=content,
            Description="",
            Name=f"policy {self._names}",
            Type=policy_type,
        )["Policy"]["PolicySummary"]["Id"]
        return created

    def update(self, policy_id: str, content: str) -> None:
        """UpdatePolicy with new content."""
        self.org.manager.client.update_policy(PolicyId=policy_id, Content=content)

    def attach(self, policy_id: str, target_id: str) -> None:
        """AttachPolicy."""
        self.org.manager.client.attach_policy(PolicyId=policy_id, TargetId=target_id)

    def detach(self, policy_id: str, target_id: str) -> None:
        """DetachPolicy."""
        self.org.manager.client.detach_policy(PolicyId=policy_id, TargetId=target_id)

    def attach_new(
        self, content: str, target_id: str, policy_type: str = "TAG_POLICY"
    ) -> str:
        """CreatePolicy, then AttachPolicy to `target_id`; the policy's id."""
        policy_id = self.create(content, policy_type)
        self.attach(policy_id, target_id)
        return policy_id

    # -- who may ask (Z4, Z5) -----------------------------------------------------------------

    def register_administrator(
        self, account_id: str, principal: str = "tagpolicies.tag.amazonaws.com"
    ) -> None:
        """EnableAWSServiceAccess, then RegisterDelegatedAdministrator (D3, D6)."""
        client = self.org.manager.client
        client.enable_aws_service_access(ServicePrincipal=principal)
        client.register_delegated_administrator(
            AccountId=account_id, ServicePrincipal=principal
        )

    def delegate(self, account_id: str, statements: list[dict[str, Any]]) -> None:
        """PutResourcePolicy (D11): each statement an Allow for `account_id`."""
        content = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{account_id}:root"},
                    **statement,
                }
                for statement in statements
            ],
        }
        self.org.manager.client.put_resource_policy(Content=json.dumps(content))

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


def policies(world: World, members: int = 1, feature_set: str = "ALL") -> Policies:
    """A fresh organization with `members` invited members, TAG_POLICY enabled (with
    ALL features)."""
    found = Policies(world.organization(feature_set, members=members))
    if feature_set == "ALL":
        found.enable()
    return found
