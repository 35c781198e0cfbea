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

from typing import Any

from support.delegation import arn, delegate, statement
from support.world import Actor, Org, World, engine, fails_with, world

__all__ = ["engine", "world"]

ACCESS_DENIED = "You don't have permissions to access this resource."


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


def _registered(world: World, org: Org, member: Actor) -> None:
    """The member becomes a delegated administrator (D6's row; RegisterDelegated-
    Administrator is another area's)."""
    world.execute(
        "INSERT INTO delegated_administrators"
        " (organization_id, account_id, service_principal, registered_at)"
        " VALUES (?, ?, 'config.amazonaws.com', 0)",
        org.id,
        member.id,
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
    _registered(world, org, admin)
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
