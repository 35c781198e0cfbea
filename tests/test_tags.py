"""Tags (`docs/organizations.md`, T1–T7; organizations.md §10), through real boto3 clients
against a real server, on SQLite and PostgreSQL (one server per module and engine; tests
keep apart by using fresh accounts, `World.account()`).

OUs are written straight into the database here (`_add_ou`), so that these tests need
only migration 3's tables, not CreateOrganizationalUnit.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from support.databases import fresh_database
from support.world import (
    Org,
    World,
    dummy_accounts,
    engine,
    fails_with,
    in_process,
    open_store,
    world,
)

__all__ = ["engine", "world"]


def _root(world: World, org: Org) -> str:
    [row] = world.rows("SELECT root_id FROM organizations WHERE id = ?", org.id)
    return str(row["root_id"])


def _add_ou(world: World, org: Org, ou_id: str) -> str:
    """An OU under the organization's root, as CreateOrganizationalUnit stores one."""
    world.execute(
        "INSERT INTO organizational_units"
        " (id, organization_id, parent_id, name, depth, created_at)"
        " VALUES (?, ?, ?, ?, 1, 0)",
        ou_id,
        org.id,
        _root(world, org),
        ou_id,
    )
    return ou_id


def _tags(org: Org, resource_id: str) -> list[dict[str, str]]:
    listed = org.manager.client.list_tags_for_resource(ResourceId=resource_id)
    assert "NextToken" not in listed
    tags: list[dict[str, str]] = listed["Tags"]
    return tags


def _pairs(*pairs: tuple[str, str]) -> list[dict[str, str]]:
    return [{"Key": key, "Value": value} for key, value in pairs]


# -- T1 taggable resources ------------------------------------------------------------------


def test_t1_taggable_resources(world: World) -> None:
    """T1: the organization's accounts (the management account included), its root and
    its OUs take tags; each resource has its own."""
    org = world.organization(members=1)
    ou = _add_ou(world, org, f"ou-{org.id[2:6]}-t1tagged")
    resources = [org.manager.id, org.members[0].id, _root(world, org), ou]
    for n, resource in enumerate(resources):
        assert _tags(org, resource) == []
        result = org.manager.client.tag_resource(
            ResourceId=resource, Tags=_pairs(("n", str(n)))
        )
        assert set(result) == {"ResponseMetadata"}  # response {}
    for n, resource in enumerate(resources):
        assert _tags(org, resource) == _pairs(("n", str(n)))


def test_t1_other_ids_are_target_not_found(world: World) -> None:
    """T1, C5, C9, C10: another organization's account, root or OU, an account in no
    organization, unknown ids of every kind, and ids that pass the unanchored pattern
    but name nothing are TargetNotFound, for the three operations alike."""
    org = world.organization()
    other = world.organization(members=1)
    outsider = world.account()
    root = _root(world, org)
    other_ou = _add_ou(world, other, f"ou-{other.id[2:6]}-t1others")
    ids = [
        other.manager.id,
        other.members[0].id,
        _root(world, other),
        other_ou,
        outsider.id,
        "999999999999",
        "r-zzzz",
        f"ou-{org.id[2:6]}-notthere",
        "p-abcdefgh12",
        "rp-abcd1234",
        "rt-abcdefgh1234",
        root + "-trailing",
        org.manager.id + "9",
    ]
    client = org.manager.client
    for resource in ids:
        failure = fails_with(
            "TargetNotFoundException",
            client.tag_resource,
            ResourceId=resource,
            Tags=_pairs(("k", "v")),
        )
        assert failure["Error"]["Message"] == (
            "We can't find a root, OU, account, or policy with the TargetId that you "
            "specified."
        )
        fails_with(
            "TargetNotFoundException",
            client.untag_resource,
            ResourceId=resource,
            TagKeys=["k"],
        )
        fails_with(
            "TargetNotFoundException",
            client.list_tags_for_resource,
            ResourceId=resource,
        )
    assert _tags(other, other.manager.id) == []


# -- T3 TagResource -------------------------------------------------------------------------


def test_t3_order_of_first_set_and_new_values(world: World) -> None:
    """T3, T5: keys are listed in the order they were first set; an existing key takes
    the new value and keeps its place; an empty value is a value."""
    org = world.organization()
    client, me = org.manager.client, org.manager.id
    client.tag_resource(ResourceId=me, Tags=_pairs(("b", "1"), ("a", "2"), ("c", "")))
    client.tag_resource(ResourceId=me, Tags=_pairs(("d", "4"), ("a", "new")))
    assert _tags(org, me) == _pairs(("b", "1"), ("a", "new"), ("c", ""), ("d", "4"))


def test_t3_empty_list_changes_nothing(world: World) -> None:
    """T3 (DECIDED): an empty list changes nothing, and the resource must still exist."""
    org = world.organization()
    client, me = org.manager.client, org.manager.id
    client.tag_resource(ResourceId=me, Tags=_pairs(("a", "1")))
    client.tag_resource(ResourceId=me, Tags=[])
    assert _tags(org, me) == _pairs(("a", "1"))
    fails_with(
        "TargetNotFoundException",
        client.tag_resource,
        ResourceId="999999999999",
        Tags=[],
    )


def test_t3_duplicate_tag_key(world: World) -> None:
    """T3: a key twice in the request (case-sensitive) is InvalidInput
    DUPLICATE_TAG_KEY, and nothing is written; keys differing in case are two keys."""
    org = world.organization()
    client, me = org.manager.client, org.manager.id
    failure = fails_with(
        "InvalidInputException",
        client.tag_resource,
        ResourceId=me,
        Tags=_pairs(("x", "0"), ("team", "a"), ("team", "b")),
    )
    assert failure["Reason"] == "DUPLICATE_TAG_KEY"
    assert failure["Error"]["Message"] == (
        "Tag keys must be unique among the tags attached to the same entity."
    )
    assert _tags(org, me) == []
    client.tag_resource(ResourceId=me, Tags=_pairs(("team", "a"), ("Team", "b")))
    assert _tags(org, me) == _pairs(("team", "a"), ("Team", "b"))


def test_t3_system_tags(world: World) -> None:
    """T3: a key starting with `aws:` in any case is INVALID_SYSTEM_TAGS_PARAMETER, and
    nothing is written; `aws` without the colon is an ordinary key."""
    org = world.organization()
    client, me = org.manager.client, org.manager.id
    for key in ("aws:team", "AWS:team", "Aws:x", "aWs:"):
        failure = fails_with(
            "InvalidInputException",
            client.tag_resource,
            ResourceId=me,
            Tags=_pairs(("fine", "1"), (key, "v")),
        )
        assert failure["Reason"] == "INVALID_SYSTEM_TAGS_PARAMETER"
        assert failure["Error"]["Message"] == (
            "You specified a tag key that is a system tag."
        )
    assert _tags(org, me) == []
    client.tag_resource(ResourceId=me, Tags=_pairs(("aws", "1"), ("awsx:y", "2")))
    assert _tags(org, me) == _pairs(("aws", "1"), ("awsx:y", "2"))


def test_t3_check_order(world: World) -> None:
    """T3, V1: the caller's role first, then a duplicate key, then a system key, then
    the resource, then the limit."""
    org = world.organization(members=1)
    member = org.members[0]
    client = org.manager.client
    both = _pairs(("aws:x", "1"), ("aws:x", "2"))
    fails_with(
        "AccessDeniedException",
        member.client.tag_resource,
        ResourceId="999999999999",
        Tags=both,
    )
    failure = fails_with(
        "InvalidInputException",
        client.tag_resource,
        ResourceId="999999999999",
        Tags=both,
    )
    assert failure["Reason"] == "DUPLICATE_TAG_KEY"
    failure = fails_with(
        "InvalidInputException",
        client.tag_resource,
        ResourceId="999999999999",
        Tags=_pairs(("aws:x", "1")),
    )
    assert failure["Reason"] == "INVALID_SYSTEM_TAGS_PARAMETER"
    too_many = _pairs(*((f"k{n}", "") for n in range(51)))
    fails_with(
        "TargetNotFoundException",
        client.tag_resource,
        ResourceId="999999999999",
        Tags=too_many,
    )


def test_t3_max_tag_limit(world: World) -> None:
    """T3: at most 50 tags per resource, counted after the change: the 51st key is
    ConstraintViolation MAX_TAG_LIMIT_EXCEEDED and the whole request fails; new values
    for keys the resource has still fit."""
    org = world.organization()
    client, me = org.manager.client, org.manager.id
    fifty = _pairs(*((f"k{n:02d}", "v") for n in range(50)))
    client.tag_resource(ResourceId=me, Tags=fifty[:30])
    client.tag_resource(ResourceId=me, Tags=fifty[30:])
    assert _tags(org, me) == fifty
    failure = fails_with(
        "ConstraintViolationException",
        client.tag_resource,
        ResourceId=me,
        Tags=_pairs(("k00", "changed"), ("one-more", "v")),
    )
    assert failure["Reason"] == "MAX_TAG_LIMIT_EXCEEDED"
    assert failure["Error"]["Message"] == (
        "Performing this operation violates a minimum or maximum value limit."
    )
    assert _tags(org, me) == fifty  # all-or-nothing: k00 kept its value
    client.tag_resource(ResourceId=me, Tags=_pairs(("k00", "changed")))
    assert _tags(org, me)[0] == {"Key": "k00", "Value": "changed"}
    # A fresh resource: 51 in one request is refused too.
    other = world.organization()
    failure = fails_with(
        "ConstraintViolationException",
        other.manager.client.tag_resource,
        ResourceId=other.manager.id,
        Tags=_pairs(*((f"k{n}", "") for n in range(51))),
    )
    assert failure["Reason"] == "MAX_TAG_LIMIT_EXCEEDED"
    assert _tags(other, other.manager.id) == []


def test_c6_tag_messages_are_the_same_everywhere(world: World) -> None:
    """C6, T3, T6: TagResource, CreateOrganizationalUnit, CreateAccount and
    InviteAccountToOrganization answer each tag failure with the same Message:
    InvalidInputException its Reason's sentence, ConstraintViolationException the
    first sentence of its documentation."""
    org = world.organization()
    client = org.manager.client
    root = _root(world, org)
    expected = {
        "DUPLICATE_TAG_KEY": (
            "InvalidInputException",
            _pairs(("a", "1"), ("a", "2")),
            "Tag keys must be unique among the tags attached to the same entity.",
        ),
        "INVALID_SYSTEM_TAGS_PARAMETER": (
            "InvalidInputException",
            _pairs(("aws:x", "1")),
            "You specified a tag key that is a system tag.",
        ),
        "MAX_TAG_LIMIT_EXCEEDED": (
            "ConstraintViolationException",
            _pairs(*((f"k{n}", "") for n in range(51))),
            "Performing this operation violates a minimum or maximum value limit.",
        ),
    }
    calls: list[tuple[str, Any, dict[str, Any]]] = [
        ("TagResource", client.tag_resource, {"ResourceId": org.manager.id}),
        (
            "CreateOrganizationalUnit",
            client.create_organizational_unit,
            {"ParentId": root, "Name": "c6"},
        ),
        (
            "CreateAccount",
            client.create_account,
            {"Email": "c6-tags@example.com", "AccountName": "C6"},
        ),
        (
            "InviteAccountToOrganization",
            client.invite_account_to_organization,
            {"Target": world.account().target()},
        ),
    ]
    for reason, (code, tags, message) in expected.items():
        for operation, call, params in calls:
            failure = fails_with(code, call, Tags=tags, **params)
            assert failure["Reason"] == reason, operation
            assert failure["Error"]["Message"] == message, operation


# -- T4 UntagResource -----------------------------------------------------------------------


def test_t4_untag_resource(world: World) -> None:
    """T4: the keys go (absent ones are ignored), response `{}`; a key removed and set
    again counts as new (listed last); an `aws:` key is INVALID_SYSTEM_TAGS_PARAMETER
    and nothing is removed."""
    org = world.organization(members=1)
    client, member = org.manager.client, org.members[0].id
    client.tag_resource(
        ResourceId=member, Tags=_pairs(("a", "1"), ("b", "2"), ("c", "3"))
    )
    result = client.untag_resource(ResourceId=member, TagKeys=["a", "absent", "C"])
    assert set(result) == {"ResponseMetadata"}
    assert _tags(org, member) == _pairs(("b", "2"), ("c", "3"))
    client.tag_resource(ResourceId=member, Tags=_pairs(("a", "again")))
    assert _tags(org, member) == _pairs(("b", "2"), ("c", "3"), ("a", "again"))
    failure = fails_with(
        "InvalidInputException",
        client.untag_resource,
        ResourceId=member,
        TagKeys=["b", "AWS:thing"],
    )
    assert failure["Reason"] == "INVALID_SYSTEM_TAGS_PARAMETER"
    assert _tags(org, member) == _pairs(("b", "2"), ("c", "3"), ("a", "again"))
    client.untag_resource(ResourceId=member, TagKeys=["b", "c", "a"])
    assert _tags(org, member) == []


# -- T5 ListTagsForResource -----------------------------------------------------------------


def test_t5_list_tags_next_token(world: World) -> None:
    """T5, L6: every tag in one answer without NextToken (50 of them); since no token is
    ever issued, any NextToken sent is INVALID_NEXT_TOKEN."""
    org = world.organization()
    client, me = org.manager.client, org.manager.id
    fifty = _pairs(*((f"key-{n:02d}", f"value {n}") for n in range(50)))
    client.tag_resource(ResourceId=me, Tags=fifty)
    assert _tags(org, me) == fifty
    for token in ("anything", "AAAA"):
        failure = fails_with(
            "InvalidInputException",
            client.list_tags_for_resource,
            ResourceId=me,
            NextToken=token,
        )
        assert failure["Reason"] == "INVALID_NEXT_TOKEN"


# -- Z1, Z2: who may call -------------------------------------------------------------------


def test_t_callers(world: World) -> None:
    """Z1, Z2: a member gets AccessDenied (even for its own account), an account in no
    organization AWSOrganizationsNotInUse; for all three operations."""
    org = world.organization(members=1)
    member = org.members[0]
    outsider = world.account()
    for actor, code in (
        (member, "AccessDeniedException"),
        (outsider, "AWSOrganizationsNotInUseException"),
    ):
        fails_with(
            code,
            actor.client.tag_resource,
            ResourceId=member.id,
            Tags=_pairs(("a", "b")),
        )
        fails_with(
            code, actor.client.untag_resource, ResourceId=member.id, TagKeys=["a"]
        )
        fails_with(code, actor.client.list_tags_for_resource, ResourceId=member.id)


# -- R17, H7: an accepted invitation's tags ---------------------------------------------------


def test_h7_invitation_tags_go_to_the_tags_table(world: World) -> None:
    """R17, H7, T6: an accepted invitation's tags are the account's, in the tags table,
    in the invitation's order; TagResource adds after them."""
    org = world.organization()
    susan = world.account()
    invitation = world.invite(
        org, susan, tags=_pairs(("team", "blue"), ("cost-centre", ""), ("a", "1"))
    )
    susan.client.accept_handshake(HandshakeId=invitation["Id"])
    org.members.append(susan)
    org.manager.client.tag_resource(ResourceId=susan.id, Tags=_pairs(("z", "26")))
    expected = _pairs(("team", "blue"), ("cost-centre", ""), ("a", "1"), ("z", "26"))
    assert _tags(org, susan.id) == expected
    with open_store(str(world.db)) as database:
        with database.transaction(write=False) as tx:
            rows = tx.all(
                "SELECT tag_key, tag_value FROM tags WHERE resource_id = ? ORDER BY seq",
                (susan.id,),
            )
            legacy = tx.one("SELECT tags FROM accounts WHERE id = ?", (susan.id,))
    assert [{"Key": r["tag_key"], "Value": r["tag_value"]} for r in rows] == expected
    assert legacy is not None and legacy["tags"] is None


def test_t6_invitation_tags_are_checked_at_invitation(world: World) -> None:
    """T6, T3, R17: InviteAccountToOrganization checks its tags when it invites: a key
    twice is InvalidInput DUPLICATE_TAG_KEY, an `aws:` key (any case)
    INVALID_SYSTEM_TAGS_PARAMETER, more than 50 ConstraintViolation
    MAX_TAG_LIMIT_EXCEEDED; a refused invitation creates no handshake; 50 fit."""
    org = world.organization()
    target = world.account()
    cases = [
        ("InvalidInputException", "DUPLICATE_TAG_KEY", _pairs(("a", "1"), ("a", "2"))),
        (
            "InvalidInputException",
            "INVALID_SYSTEM_TAGS_PARAMETER",
            _pairs(("AWS:x", "")),
        ),
        (
            "ConstraintViolationException",
            "MAX_TAG_LIMIT_EXCEEDED",
            _pairs(*((f"k{n}", "") for n in range(51))),
        ),
    ]
    for code, reason, tags in cases:
        for party in (target.target(), target.target("EMAIL")):
            failure = fails_with(
                code,
                org.manager.client.invite_account_to_organization,
                Target=party,
                Tags=tags,
            )
            assert failure["Reason"] == reason
    listed = org.manager.client.list_handshakes_for_organization()["Handshakes"]
    assert listed == []
    fifty = _pairs(*((f"k{n:02d}", "v") for n in range(50)))
    invitation = world.invite(org, target, tags=fifty)
    target.client.accept_handshake(HandshakeId=invitation["Id"])
    org.members.append(target)
    assert _tags(org, target.id) == fifty


def test_h7_legacy_account_tags_move_to_the_tags_table(
    engine: str, tmp_path: Path
) -> None:
    """H7 (DECIDED, `tag_store`): tags an accepted invitation left in the legacy
    `accounts.tags` column are read as the account's oldest tags, move into the tags
    table with the next write to the account's tags, and at every start."""
    from generated.organizations.models import (
        ListTagsForResourceRequest,
        Tag,
        TagResourceRequest,
    )

    accounts = dummy_accounts(3)
    manager, first, second = (entry["id"] for entry in accounts)
    seed: dict[str, Any] = {
        "organizations": [
            {
                "id": "o-legacytags1",
                "management_account_id": manager,
                "created": "2030-01-01T00:00:00Z",
                "members": [
                    {"account_id": first, "joined": "2030-01-02T00:00:00Z"},
                    {"account_id": second, "joined": "2030-01-03T00:00:00Z"},
                ],
            }
        ],
        "handshakes": [],
    }
    legacy = json.dumps(_pairs(("team", "blue"), ("env", "")))

    def listed(served: Any, account: str) -> list[tuple[str, str]]:
        answer = served.handler.list_tags_for_resource(
            served.context(manager), ListTagsForResourceRequest(resource_id=account)
        )
        return [(tag.key, tag.value) for tag in answer.tags]

    def table(served: Any, account: str) -> tuple[list[tuple[str, str]], Any]:
        with served.database.transaction(write=False) as tx:
            rows = tx.all(
                "SELECT tag_key, tag_value FROM tags WHERE resource_id = ? ORDER BY seq",
                (account,),
            )
            column = tx.one("SELECT tags FROM accounts WHERE id = ?", (account,))
        assert column is not None
        return [(r["tag_key"], r["tag_value"]) for r in rows], column["tags"]

    with fresh_database(engine, tmp_path) as db:
        with in_process(db, accounts, seed) as served:
            with served.database.transaction() as tx:
                tx.execute(
                    "UPDATE accounts SET tags = ? WHERE id IN (?, ?)",
                    (legacy, first, second),
                )
            assert listed(served, first) == [("team", "blue"), ("env", "")]
            served.handler.tag_resource(
                served.context(manager),
                TagResourceRequest(
                    resource_id=first,
                    tags=[Tag(key="env", value="prod"), Tag(key="z", value="")],
                ),
            )
            assert table(served, first) == (
                [("team", "blue"), ("env", "prod"), ("z", "")],
                None,
            )
            assert table(served, second) == ([], legacy)
        with in_process(db, accounts) as served:  # a restart: start() moves the rest
            assert table(served, second) == ([("team", "blue"), ("env", "")], None)
            assert listed(served, second) == [("team", "blue"), ("env", "")]
