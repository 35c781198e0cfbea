"""What the delegation policy grants (`docs/organizations.md`, "The delegation policy";
spec Z5, Z6, D12, D14, P20): members named by its statements calling the operations it
delegates, through real boto3 clients against a real server, on SQLite and PostgreSQL
(one server per module and engine; fresh accounts per test).

A member passes V1's coarse check (step 4) when an Allow statement names it for the
operation, and the fine check (step 8) when the statements that apply to the request's
resources and policy type allow it (a Deny wins). The resources are those of P20 and of
`docs/organizations.md`: the organization's ARN for the reads of the tree, accounts,
create-account statuses and handshakes; the tagged resource's ARN for the tag
operations; the delegation policy's own ARN for DescribeResourcePolicy.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from support.delegation import arn, delegate, statement
from support.policies import FULL_ACCESS, SCP, TAG, tag_content
from support.world import Actor, Org, World, engine, fails_with, world

__all__ = ["engine", "world"]

ACCESS_DENIED = "You don't have permissions to access this resource."
BACKUP = "BACKUP_POLICY"


def _denied(call: Any, **params: Any) -> None:
    error = fails_with("AccessDeniedException", call, **params)
    assert error["Error"]["Message"] == ACCESS_DENIED


def _root(org: Org) -> str:
    root_id: str = org.manager.client.list_roots()["Roots"][0]["Id"]
    return root_id


def _ou(org: Org, name: str) -> str:
    ou_id: str = org.manager.client.create_organizational_unit(
        ParentId=_root(org), Name=name
    )["OrganizationalUnit"]["Id"]
    return ou_id


def _tag(actor: Actor, resource_id: str) -> None:
    actor.client.tag_resource(ResourceId=resource_id, Tags=[{"Key": "k", "Value": "v"}])


def _registered(org: Org, member: Actor) -> None:
    """The member becomes a delegated administrator (D3, D6)."""
    client = org.manager.client
    client.enable_aws_service_access(ServicePrincipal="config.amazonaws.com")
    client.register_delegated_administrator(
        AccountId=member.id, ServicePrincipal="config.amazonaws.com"
    )


# -- Z5: what a delegate may call -----------------------------------------------------------


def test_z5_allow_grants_that_operation_only(world: World) -> None:
    """Z5, Z6: a member named by an Allow statement calls the operation it names; any
    other operation, and a member the policy does not name, get AccessDenied; the
    management account is not affected."""
    org = world.organization(members=2)
    named, other = org.members
    delegate(org, statement(named, "organizations:ListRoots"))
    assert named.client.list_roots()["Roots"][0]["Id"] == _root(org)
    _denied(named.client.list_accounts)
    _denied(
        named.client.describe_organizational_unit,
        OrganizationalUnitId="ou-abcd-abcdefgh",
    )
    _denied(named.client.tag_resource, ResourceId=_root(org), Tags=[])
    _denied(named.client.describe_resource_policy)
    _denied(named.client.put_resource_policy, Content="{}")
    _denied(other.client.list_roots)
    assert len(org.manager.client.list_accounts()["Accounts"]) == 3


def test_z5_delegated_administrator_is_not_a_delegate(world: World) -> None:
    """Z4, Z5: a delegated administrator reads (ListRoots, ListTagsForResource,
    DescribeResourcePolicy) but never writes: TagResource, UntagResource and
    PutResourcePolicy are AccessDenied, until the policy names it (for TagResource)."""
    org = world.organization(members=2)
    admin, other = org.members
    _registered(org, admin)
    root = _root(org)
    assert admin.client.list_roots()["Roots"][0]["Id"] == root
    assert admin.client.list_tags_for_resource(ResourceId=root)["Tags"] == []
    _denied(
        admin.client.tag_resource, ResourceId=root, Tags=[{"Key": "k", "Value": ""}]
    )
    _denied(admin.client.untag_resource, ResourceId=root, TagKeys=["k"])
    _denied(admin.client.put_resource_policy, Content="{}")
    _denied(admin.client.delete_resource_policy)
    delegate(org, statement(other, "organizations:TagResource"))
    assert "ResourcePolicy" in admin.client.describe_resource_policy()
    _denied(
        admin.client.tag_resource, ResourceId=root, Tags=[{"Key": "k", "Value": ""}]
    )
    delegate(org, statement(admin, "organizations:TagResource"))
    _tag(admin, root)


def test_z5_delegated_reads(world: World) -> None:
    """Z5: the policy gives reads to a member that is no delegated administrator: the
    tree, accounts, create-account statuses, the organization's handshakes and the
    policy itself."""
    org = world.organization(members=1)
    member = org.members[0]
    actions = [
        f"organizations:{name}"
        for name in (
            "ListRoots",
            "ListAccounts",
            "DescribeAccount",
            "ListChildren",
            "ListParents",
            "ListAccountsForParent",
            "ListOrganizationalUnitsForParent",
            "DescribeOrganizationalUnit",
            "ListCreateAccountStatus",
            "ListHandshakesForOrganization",
            "DescribeResourcePolicy",
            "ListTagsForResource",
        )
    ]
    put = delegate(org, statement(member, actions))
    root = _root(org)
    ou = _ou(org, "Reads")
    client = member.client
    assert len(client.list_accounts()["Accounts"]) == 2
    assert client.describe_account(AccountId=org.manager.id)["Account"]["Id"] == (
        org.manager.id
    )
    assert client.list_children(ParentId=root, ChildType="ORGANIZATIONAL_UNIT")[
        "Children"
    ] == [{"Id": ou, "Type": "ORGANIZATIONAL_UNIT"}]
    assert client.list_parents(ChildId=member.id)["Parents"][0]["Id"] == root
    assert len(client.list_accounts_for_parent(ParentId=root)["Accounts"]) == 2
    assert (
        len(
            client.list_organizational_units_for_parent(ParentId=root)[
                "OrganizationalUnits"
            ]
        )
        == 1
    )
    assert (
        client.describe_organizational_unit(OrganizationalUnitId=ou)[
            "OrganizationalUnit"
        ]["Id"]
        == ou
    )
    assert client.list_create_account_status()["CreateAccountStatuses"] == []
    assert len(client.list_handshakes_for_organization()["Handshakes"]) == 1
    assert client.describe_resource_policy()["ResourcePolicy"] == put
    assert client.list_tags_for_resource(ResourceId=ou)["Tags"] == []


# -- D12: evaluation ---------------------------------------------------------------------------


def test_d12_deny_wins(world: World) -> None:
    """D12: a Deny that applies refuses whatever an Allow grants; one that names
    another member, another action or another resource does not apply."""
    org = world.organization(members=2)
    member, other = org.members
    root = _root(org)
    ou = _ou(org, "Denied")
    delegate(
        org,
        statement(member, ["organizations:List*", "organizations:TagResource"]),
        statement(member, "organizations:ListAccounts", effect="Deny"),
        statement(other, "organizations:ListRoots", effect="Deny"),
        statement(
            member, "organizations:TagResource", arn(org, "ou", ou), effect="Deny"
        ),
    )
    assert member.client.list_roots()["Roots"][0]["Id"] == root
    _denied(member.client.list_accounts)
    _tag(member, root)
    _denied(member.client.tag_resource, ResourceId=ou, Tags=[{"Key": "k", "Value": ""}])


def test_d12_action_wildcards(world: World) -> None:
    """D12: `organizations:Describe*` and `organizations:List*` match those operations
    only; actions compare without case; `?` stands for one character."""
    org = world.organization(members=3)
    describer, lister, odd = org.members
    ou = _ou(org, "Wild")
    delegate(
        org,
        statement(describer, "organizations:Describe*"),
        statement(lister, "organizations:List*"),
        statement(odd, ["ORGANIZATIONS:listroot?", "organizations:describeaccoun?"]),
    )
    assert describer.client.describe_organizational_unit(OrganizationalUnitId=ou)
    assert describer.client.describe_account(AccountId=lister.id)
    assert describer.client.describe_resource_policy()
    _denied(describer.client.list_roots)
    _denied(describer.client.list_accounts)
    assert lister.client.list_roots()
    assert lister.client.list_accounts()
    assert lister.client.list_tags_for_resource(ResourceId=ou)
    _denied(lister.client.describe_account, AccountId=describer.id)
    _denied(lister.client.tag_resource, ResourceId=ou, Tags=[])
    assert odd.client.list_roots()
    assert odd.client.describe_account(AccountId=odd.id)
    _denied(odd.client.list_accounts)


def test_d12_resource_restrictions(world: World) -> None:
    """D12, P20: a statement's Resource limits the tag operations to the resources it
    matches: one OU's ARN, or every OU's (`…:ou/O/*`); another OU, the root and an
    account are AccessDenied."""
    org = world.organization(members=2)
    one, every = org.members
    first, second = _ou(org, "First"), _ou(org, "Second")
    root = _root(org)
    delegate(
        org,
        statement(one, ["organizations:TagResource"], arn(org, "ou", first)),
        statement(every, "organizations:TagResource", arn(org, "ou", "*")),
    )
    _tag(one, first)
    for resource in (second, root, org.manager.id):
        _denied(one.client.tag_resource, ResourceId=resource, Tags=[])
    _tag(every, first)
    _tag(every, second)
    for resource in (root, one.id):
        _denied(every.client.tag_resource, ResourceId=resource, Tags=[])


def test_d12_policy_type_condition_without_a_type(world: World) -> None:
    """D12: a request that involves no policy type (a tag on an OU) fails a
    StringEquals or StringLike test of `organizations:PolicyType` and passes their
    IfExists forms."""
    org = world.organization(members=4)
    equals, like, equals_if, like_if = org.members
    ou = _ou(org, "Typed")

    def typed(member: Actor, operator: str, value: str) -> dict[str, Any]:
        return statement(
            member,
            "organizations:TagResource",
            condition={operator: {"organizations:PolicyType": value}},
        )

    delegate(
        org,
        typed(equals, "StringEquals", "TAG_POLICY"),
        typed(like, "StringLike", "*"),
        typed(equals_if, "StringEqualsIfExists", "TAG_POLICY"),
        typed(like_if, "StringLikeIfExists", "TAG_*"),
    )
    _denied(equals.client.tag_resource, ResourceId=ou, Tags=[])
    _denied(like.client.tag_resource, ResourceId=ou, Tags=[])
    _tag(equals_if, ou)
    _tag(like_if, ou)


def test_d12_conditions_not_understood_never_apply(world: World) -> None:
    """D12: a statement with a condition other than `organizations:PolicyType` under
    StringEquals/StringLike (and IfExists) does not apply: such an Allow grants nothing,
    such a Deny refuses nothing."""
    org = world.organization(members=2)
    allowed, denied = org.members
    region = {"StringEquals": {"aws:RequestedRegion": "us-east-1"}}
    delegate(
        org,
        statement(allowed, "organizations:ListRoots", condition=region),
        statement(denied, "organizations:ListRoots"),
        statement(denied, "organizations:ListRoots", effect="Deny", condition=region),
    )
    _denied(allowed.client.list_roots)
    assert denied.client.list_roots()


# -- Z6: existence before the fine check -----------------------------------------------------


def test_z6_not_found_before_access_denied(world: World) -> None:
    """Z6, V1 steps 7–8: a delegate learns that an id names nothing (the operation's
    NotFound) before it learns that it may not touch what the id names (AccessDenied).
    """
    org = world.organization(members=2)
    tagger, reader = org.members
    allowed = _ou(org, "Allowed")
    forbidden = _ou(org, "Forbidden")
    delegate(
        org,
        statement(tagger, "organizations:TagResource", arn(org, "ou", allowed)),
        statement(reader, "organizations:DescribeOrganizationalUnit"),
        statement(
            reader,
            "organizations:DescribeOrganizationalUnit",
            arn(org, "organization"),
            effect="Deny",
        ),
    )
    missing = allowed[:-8] + "zzzzzzzz"
    fails_with(
        "TargetNotFoundException",
        tagger.client.tag_resource,
        ResourceId=missing,
        Tags=[],
    )
    _denied(tagger.client.tag_resource, ResourceId=forbidden, Tags=[])
    fails_with(
        "OrganizationalUnitNotFoundException",
        reader.client.describe_organizational_unit,
        OrganizationalUnitId=missing,
    )
    _denied(reader.client.describe_organizational_unit, OrganizationalUnitId=allowed)


# -- P20: the resources of each operation's fine check ----------------------------------------


def test_p20_reads_use_the_organization_arn(world: World) -> None:
    """P20: the reads of the tree and accounts are judged on the organization's ARN: a
    statement whose Resource is that ARN grants them, one naming only the root does not
    (the coarse check passes, the fine one refuses)."""
    org = world.organization(members=2)
    whole, rooted = org.members
    reads = ["organizations:ListAccounts", "organizations:ListChildren"]
    delegate(
        org,
        statement(whole, reads, arn(org, "organization")),
        statement(rooted, reads, arn(org, "root", _root(org))),
    )
    assert whole.client.list_accounts()
    assert whole.client.list_children(ParentId=_root(org), ChildType="ACCOUNT")
    _denied(rooted.client.list_accounts)
    _denied(rooted.client.list_children, ParentId=_root(org), ChildType="ACCOUNT")


def test_p20_tag_operations_use_the_tagged_resource_arn(world: World) -> None:
    """P20 (DECIDED for the tag operations): TagResource, UntagResource and
    ListTagsForResource are judged on the ARN of the resource they name: an account's,
    the root's, the delegation policy's."""
    org = world.organization(members=2)
    delegate_, target = org.members
    tags = ["organizations:TagResource", "organizations:UntagResource"]
    policy_id = delegate(org, statement(delegate_, "organizations:ListRoots"))[
        "ResourcePolicySummary"
    ]["Id"]
    root = _root(org)
    delegate(
        org,
        statement(delegate_, tags, arn(org, "account", target.id)),
        statement(delegate_, tags, arn(org, "resourcepolicy", policy_id)),
        statement(
            delegate_, "organizations:ListTagsForResource", arn(org, "root", root)
        ),
    )
    _tag(delegate_, target.id)
    _tag(delegate_, policy_id)
    delegate_.client.untag_resource(ResourceId=target.id, TagKeys=["k"])
    _denied(delegate_.client.untag_resource, ResourceId=root, TagKeys=["k"])
    _denied(delegate_.client.tag_resource, ResourceId=delegate_.id, Tags=[])
    assert delegate_.client.list_tags_for_resource(ResourceId=root)["Tags"] == []
    _denied(delegate_.client.list_tags_for_resource, ResourceId=target.id)
    assert org.manager.client.list_tags_for_resource(ResourceId=policy_id)["Tags"] == [
        {"Key": "k", "Value": "v"}
    ]


def test_p20_describe_resource_policy_uses_its_own_arn(world: World) -> None:
    """DECIDED: DescribeResourcePolicy is judged on the delegation policy's ARN."""
    org = world.organization(members=2)
    own, organization = org.members
    describe = "organizations:DescribeResourcePolicy"
    delegate(
        org,
        statement(own, describe, arn(org, "resourcepolicy", "*")),
        statement(organization, describe, arn(org, "organization")),
    )
    assert own.client.describe_resource_policy()
    _denied(organization.client.describe_resource_policy)


# -- D11, D14: grants follow the stored policy at once ------------------------------------------


def test_d14_delete_ends_grants_at_once(world: World) -> None:
    """D14: once the policy is deleted, the next request of a former delegate is
    AccessDenied; a new Put grants again at once."""
    org = world.organization(members=1)
    member = org.members[0]
    delegate(org, statement(member, "organizations:ListRoots"))
    assert member.client.list_roots()
    org.manager.client.delete_resource_policy()
    _denied(member.client.list_roots)
    delegate(org, statement(member, "organizations:ListRoots"))
    assert member.client.list_roots()


def test_d11_replacement_changes_grants_at_once(world: World) -> None:
    """D11: a replacement's statements decide the next request: the grant it drops
    ends, the one it adds starts."""
    org = world.organization(members=1)
    member = org.members[0]
    delegate(org, statement(member, "organizations:ListRoots"))
    assert member.client.list_roots()
    _denied(member.client.list_accounts)
    delegate(org, statement(member, "organizations:ListAccounts"))
    assert member.client.list_accounts()
    _denied(member.client.list_roots)


# -- P20 on the policy operations (branch `policies`) -----------------------------------------

BACKUP_CONTENT = json.dumps(
    {"plans": {"daily": {"regions": {"@@assign": ["us-east-1"]}}}}
)


def _create(actor: Actor, policy_type: str, **params: Any) -> dict[str, Any]:
    """A policy of `policy_type` (TAG_POLICY or BACKUP_POLICY) created by `actor`."""
    content = tag_content() if policy_type == TAG else BACKUP_CONTENT
    policy: dict[str, Any] = actor.client.create_policy(
        Name=params.pop("Name", f"{policy_type.lower()}-{uuid.uuid4().hex[:8]}"),
        Type=policy_type,
        Description="delegated",
        Content=content,
        **params,
    )["Policy"]["PolicySummary"]
    return policy


def _types_enabled(org: Org, *policy_types: str) -> str:
    root = _root(org)
    for policy_type in policy_types:
        org.manager.client.enable_policy_type(RootId=root, PolicyType=policy_type)
    return root


def test_p20_create_policy_uses_the_new_policys_arn(world: World) -> None:
    """P20: CreatePolicy is judged on the ARN the new policy will have
    (`…:policy/O/<type>/<new id>`), so a Resource of one type's policies grants
    creating that type only; the refused creation stores nothing."""
    org = world.organization(members=1)
    member = org.members[0]
    delegate(
        org,
        statement(
            member, "organizations:CreatePolicy", arn(org, "policy", "tag_policy", "*")
        ),
    )
    created = _create(member, TAG)
    assert created["Arn"] == arn(org, "policy", "tag_policy", created["Id"])
    _denied(lambda: _create(member, BACKUP))
    assert org.manager.client.list_policies(Filter=BACKUP)["Policies"] == []
    assert [
        p["Id"] for p in org.manager.client.list_policies(Filter=TAG)["Policies"]
    ] == [created["Id"]]


def test_d12_policy_type_conditions(world: World) -> None:
    """D12: `organizations:PolicyType` is the type the request involves: StringEquals
    and StringLike compare it (`*` in Like), and their IfExists forms too once a type
    is involved; the condition key has no case."""
    org = world.organization(members=5)
    equals, like, equals_if, like_if, lower = org.members
    create = "organizations:CreatePolicy"

    def typed(member: Actor, operator: str, value: str) -> dict[str, Any]:
        return statement(
            member, create, condition={operator: {"organizations:PolicyType": value}}
        )

    delegate(
        org,
        typed(equals, "StringEquals", TAG),
        typed(like, "StringLike", "TAG_*"),
        typed(equals_if, "StringEqualsIfExists", BACKUP),
        typed(like_if, "StringLikeIfExists", "BACKUP*"),
        statement(
            lower,
            create,
            condition={"StringEquals": {"ORGANIZATIONS:policytype": TAG}},
        ),
    )
    for allowed, refused in (
        (equals, BACKUP),
        (like, BACKUP),
        (equals_if, TAG),
        (like_if, TAG),
    ):
        allowed_type = TAG if refused == BACKUP else BACKUP
        _create(allowed, allowed_type)
        _denied(lambda: _create(allowed, refused))
    _create(lower, TAG)  # condition keys compare without case
    _denied(lambda: _create(lower, BACKUP))


def test_p20_policy_reads_and_writes_use_the_policys_arn(world: World) -> None:
    """P20: DescribePolicy, UpdatePolicy, DeletePolicy and ListTargetsForPolicy are
    judged on the policy's ARN and type: a Resource of tag policies grants them on a
    tag policy, not on a backup policy; an AWS-managed policy's ARN
    (`arn:aws:organizations::aws:policy/…`) can be named too."""
    org = world.organization(members=2)
    member, reader = org.members
    tag_policy = _create(org.manager, TAG)
    backup_policy = _create(org.manager, BACKUP)
    actions = [
        f"organizations:{name}"
        for name in (
            "DescribePolicy",
            "UpdatePolicy",
            "DeletePolicy",
            "ListTargetsForPolicy",
        )
    ]
    delegate(
        org,
        statement(member, actions, arn(org, "policy", "tag_policy", "*")),
        statement(
            reader,
            "organizations:DescribePolicy",
            "arn:aws:organizations::aws:policy/service_control_policy/*",
        ),
    )
    client = member.client
    assert client.describe_policy(PolicyId=tag_policy["Id"])
    assert client.list_targets_for_policy(PolicyId=tag_policy["Id"])["Targets"] == []
    renamed = client.update_policy(PolicyId=tag_policy["Id"], Name="renamed")
    assert renamed["Policy"]["PolicySummary"]["Name"] == "renamed"
    for call in (
        client.describe_policy,
        client.list_targets_for_policy,
        client.delete_policy,
    ):
        _denied(call, PolicyId=backup_policy["Id"])
    _denied(client.update_policy, PolicyId=backup_policy["Id"], Name="x")
    client.delete_policy(PolicyId=tag_policy["Id"])
    assert reader.client.describe_policy(PolicyId=FULL_ACCESS)
    _denied(reader.client.describe_policy, PolicyId=backup_policy["Id"])


def test_p20_attach_and_detach_use_the_policy_and_the_target(world: World) -> None:
    """P20, D12: AttachPolicy and DetachPolicy are judged on both ARNs: an Allow must
    cover the policy and the target, and a Deny that covers either refuses."""
    org = world.organization(members=2)
    member, denied = org.members
    root = _types_enabled(org, TAG, BACKUP)
    first, second = _ou(org, "First"), _ou(org, "Second")
    tag_policy = _create(org.manager, TAG)
    backup_policy = _create(org.manager, BACKUP)
    writes = ["organizations:AttachPolicy", "organizations:DetachPolicy"]
    delegate(
        org,
        statement(
            member,
            writes,
            [arn(org, "policy", "tag_policy", "*"), arn(org, "ou", first)],
        ),
        statement(denied, writes),
        statement(denied, writes, arn(org, "ou", second), effect="Deny"),
    )
    client = member.client
    client.attach_policy(PolicyId=tag_policy["Id"], TargetId=first)
    _denied(client.attach_policy, PolicyId=tag_policy["Id"], TargetId=second)
    _denied(client.attach_policy, PolicyId=tag_policy["Id"], TargetId=root)
    _denied(client.attach_policy, PolicyId=backup_policy["Id"], TargetId=first)
    client.detach_policy(PolicyId=tag_policy["Id"], TargetId=first)
    denied.client.attach_policy(PolicyId=backup_policy["Id"], TargetId=first)
    _denied(denied.client.attach_policy, PolicyId=backup_policy["Id"], TargetId=second)


def test_p20_policy_types_use_the_root_arn(world: World) -> None:
    """P20: EnablePolicyType and DisablePolicyType are judged on the root's ARN and the
    type; ListPolicies on the organization's ARN and the type; ListPoliciesForTarget
    on the target's ARN."""
    org = world.organization(members=2)
    member, lister = org.members
    root = _root(org)
    ou = _ou(org, "Listed")
    delegate(
        org,
        statement(
            member,
            ["organizations:EnablePolicyType", "organizations:DisablePolicyType"],
            arn(org, "root", root),
            condition={"StringEquals": {"organizations:PolicyType": TAG}},
        ),
        statement(
            lister,
            "organizations:ListPolicies",
            arn(org, "organization"),
            condition={"StringEquals": {"organizations:PolicyType": TAG}},
        ),
        statement(lister, "organizations:ListPoliciesForTarget", arn(org, "ou", "*")),
    )
    enabled = member.client.enable_policy_type(RootId=root, PolicyType=TAG)
    assert {"Type": TAG, "Status": "ENABLED"} in enabled["Root"]["PolicyTypes"]
    _denied(member.client.enable_policy_type, RootId=root, PolicyType=BACKUP)
    member.client.disable_policy_type(RootId=root, PolicyType=TAG)
    assert lister.client.list_policies(Filter=TAG)["Policies"] == []
    _denied(lister.client.list_policies, Filter=BACKUP)
    assert lister.client.list_policies_for_target(TargetId=ou, Filter=SCP)["Policies"]
    _denied(lister.client.list_policies_for_target, TargetId=root, Filter=SCP)


def test_p20_tagging_a_policy_uses_its_arn_and_type(world: World) -> None:
    """P20 (DECIDED): TagResource on a policy is judged on the policy's ARN and its
    type; an AWS-managed policy is judged first (AccessDenied) and refused as
    immutable (IMMUTABLE_POLICY, P10) only after."""
    org = world.organization(members=2)
    typed, anything = org.members
    tag_policy = _create(org.manager, TAG)
    backup_policy = _create(org.manager, BACKUP)
    delegate(
        org,
        statement(
            typed,
            "organizations:TagResource",
            condition={"StringEquals": {"organizations:PolicyType": TAG}},
        ),
        statement(anything, "organizations:TagResource"),
    )
    _tag(typed, tag_policy["Id"])
    _denied(typed.client.tag_resource, ResourceId=backup_policy["Id"], Tags=[])
    _denied(typed.client.tag_resource, ResourceId=FULL_ACCESS, Tags=[])
    error = fails_with(
        "InvalidInputException",
        anything.client.tag_resource,
        ResourceId=FULL_ACCESS,
        Tags=[],
    )
    assert error["Reason"] == "IMMUTABLE_POLICY"


def test_z6_policy_operations_check_existence_first(world: World) -> None:
    """Z6, V1: a delegate's request checks (a malformed document) and unknown ids
    (PolicyNotFound, TargetNotFound) are answered before the fine check refuses."""
    org = world.organization(members=1)
    member = org.members[0]
    _types_enabled(org, BACKUP)
    backup_policy = _create(org.manager, BACKUP)
    delegate(
        org,
        statement(
            member,
            [
                "organizations:CreatePolicy",
                "organizations:UpdatePolicy",
                "organizations:AttachPolicy",
            ],
            arn(org, "policy", "tag_policy", "*"),
        ),
    )
    fails_with(
        "MalformedPolicyDocumentException",
        member.client.create_policy,
        Name="bad",
        Type=BACKUP,
        Description="",
        Content="not json",
    )
    fails_with(
        "PolicyNotFoundException",
        member.client.update_policy,
        PolicyId="p-0123456789",
        Name="x",
    )
    _denied(member.client.update_policy, PolicyId=backup_policy["Id"], Name="x")
    fails_with(
        "TargetNotFoundException",
        member.client.attach_policy,
        PolicyId=backup_policy["Id"],
        TargetId="ou-abcd-abcdefgh",
    )
    _denied(
        member.client.attach_policy, PolicyId=backup_policy["Id"], TargetId=_root(org)
    )
