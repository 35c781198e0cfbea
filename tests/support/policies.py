"""Helpers for the policy tests (`test_policies.py`, `test_attachments.py`,
`test_policy_races.py`): documents of each kind, and policies and OUs made through the
API by an organization's management account."""

from __future__ import annotations

import itertools
import json
import time
from typing import Any

from support.world import Org

SCP = "SERVICE_CONTROL_POLICY"
RCP = "RESOURCE_CONTROL_POLICY"
TAG = "TAG_POLICY"
FULL_ACCESS = "p-FullAWSAccess"
RCP_FULL_ACCESS = "p-RCPFullAWSAccess"

_names = itertools.count(1)


def scp_content(action: str = "s3:*", effect: str = "Deny") -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": {"Effect": effect, "Action": action, "Resource": "*"},
        }
    )


def rcp_content(action: str = "s3:*") -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": {
                "Effect": "Deny",
                "Principal": "*",
                "Action": action,
                "Resource": "*",
            },
        }
    )


def tag_content(key: str = "CostCenter") -> str:
    return json.dumps(
        {"tags": {"costcenter": {"tag_key": {"@@assign": key}}}}, ensure_ascii=False
    )


CONTENT = {SCP: scp_content, RCP: rcp_content, TAG: tag_content}


def create_policy(
    org: Org,
    policy_type: str = SCP,
    name: str | None = None,
    content: str | None = None,
    **params: Any,
) -> dict[str, Any]:
    """A new customer policy (its PolicySummary). ListPolicies orders by creation time
    (milliseconds), then id: the next creation waits for the next millisecond, so that
    the order of creation is the listing's."""
    policy: dict[str, Any] = org.manager.client.create_policy(
        Name=name or f"policy-{next(_names)}",
        Type=policy_type,
        Description=params.pop("Description", "a test policy"),
        Content=content if content is not None else CONTENT[policy_type](),
        **params,
    )["Policy"]
    time.sleep(0.002)
    summary: dict[str, Any] = policy["PolicySummary"]
    return summary


def root_id(org: Org) -> str:
    return str(org.manager.client.list_roots()["Roots"][0]["Id"])


def create_ou(org: Org, name: str, parent: str | None = None) -> str:
    """A new OU under `parent` (the root by default); the next one a millisecond later."""
    ou = org.manager.client.create_organizational_unit(
        ParentId=parent or root_id(org), Name=name
    )["OrganizationalUnit"]
    time.sleep(0.002)
    return str(ou["Id"])


def attached(org: Org, target_id: str, policy_type: str = SCP) -> list[str]:
    """The ids of the policies attached to the target, every page, in order."""
    found: list[str] = []
    params: dict[str, Any] = {"TargetId": target_id, "Filter": policy_type}
    while True:
        page = org.manager.client.list_policies_for_target(**params)
        found += [policy["Id"] for policy in page["Policies"]]
        if "NextToken" not in page:
            return found
        params["NextToken"] = page["NextToken"]


def targets(org: Org, policy_id: str, **params: Any) -> list[dict[str, Any]]:
    """ListTargetsForPolicy, every page, in order."""
    found: list[dict[str, Any]] = []
    params = {"PolicyId": policy_id, **params}
    while True:
        page = org.manager.client.list_targets_for_policy(**params)
        found += page["Targets"]
        if "NextToken" not in page:
            return found
        params["NextToken"] = page["NextToken"]


def describe(client: Any, policy_id: str) -> dict[str, Any]:
    """DescribePolicy's Policy."""
    policy: dict[str, Any] = client.describe_policy(PolicyId=policy_id)["Policy"]
    return policy


def enable(org: Org, policy_type: str) -> dict[str, Any]:
    """EnablePolicyType in the organization's root; the Root answered."""
    root: dict[str, Any] = org.manager.client.enable_policy_type(
        RootId=root_id(org), PolicyType=policy_type
    )["Root"]
    return root


def target_ids(org: Org, policy_id: str) -> list[str]:
    """The ids of ListTargetsForPolicy, every page."""
    return [target["TargetId"] for target in targets(org, policy_id)]


def register_delegated_administrator(org: Org, account_id: str) -> None:
    """The member becomes a delegated administrator (for Security Hub, D6), after the
    organization gives that service trusted access (D3)."""
    client = org.manager.client
    client.enable_aws_service_access(ServicePrincipal="securityhub.amazonaws.com")
    client.register_delegated_administrator(
        AccountId=account_id, ServicePrincipal="securityhub.amazonaws.com"
    )
