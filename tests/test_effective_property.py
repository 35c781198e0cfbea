"""A property of DescribeEffectivePolicy through the server (E3–E7), on SQLite and
PostgreSQL: for a small random tree and random valid tag policies attached at random
places through the API, every account's effective policy is what
`inheritance.render(inheritance.merge(levels))` makes of the documents the test attached
on its path (root, OUs from the top down, the account; each level in the order attached),
and EffectivePolicyNotFound where nothing is attached on it (E3). Attaching one more
policy on an account's path changes its answer as the merge says, and detaching it gives
the previous answer back.

Bounded: few examples (`FEW`), small documents, one server per engine; each example is
a fresh organization (three fresh accounts).
"""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handlers.organizations.inheritance import merge, render
from support.effective import Policies, policies
from support.world import World, engine, world

__all__ = ["engine", "world"]

FEW = settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

KEYS = st.sampled_from(["a", "b", "c"])
VALUES = st.one_of(st.sampled_from(["x", "y", "z"]), st.integers(0, 2), st.booleans())
ARRAYS = st.lists(VALUES, max_size=3)
CONTROLS = st.one_of(
    st.just(["@@all"]),
    st.just(["@@none"]),
    st.lists(
        st.sampled_from(["@@assign", "@@append", "@@remove"]),
        min_size=1,
        max_size=3,
        unique=True,
    ),
)


@st.composite
def settings_(draw: Any) -> dict[str, Any]:
    """A setting: some value-setting operators, perhaps a child control."""
    element: dict[str, Any] = {}
    if draw(st.booleans()):
        element["@@assign"] = draw(st.one_of(VALUES, ARRAYS))
    for operator in ("@@append", "@@remove"):
        if draw(st.booleans()):
            element[operator] = draw(ARRAYS)
    if not element or draw(st.integers(0, 3)) == 0:
        element["@@operators_allowed_for_child_policies"] = draw(CONTROLS)
    return element


@st.composite
def elements(draw: Any, depth: int) -> dict[str, Any]:
    """An element: a setting, or (above the leaves) plain keys of elements."""
    if depth == 0 or draw(st.booleans()):
        return draw(settings_())
    children: dict[str, Any] = draw(
        st.dictionaries(KEYS, elements(depth - 1), min_size=1, max_size=2)
    )
    if draw(st.integers(0, 3)) == 0:
        children["@@operators_allowed_for_child_policies"] = draw(CONTROLS)
    return children


#: A valid TAG_POLICY document (P8): plain keys down to settings, under "tags".
DOCUMENTS = st.builds(
    lambda body: {"tags": body},
    st.dictionaries(KEYS, elements(2), min_size=1, max_size=2),
)


@st.composite
def layouts(draw: Any) -> dict[str, Any]:
    """A tree (each OU's parent: the root, -1, or an earlier OU), where the two members
    sit (None: the root), and attachments (target, document) in the order made; a
    target is "root", ("ou", i) or ("account", i) with 0 the management account."""
    ous = draw(st.lists(st.integers(-1, 2), max_size=3))
    ous = [parent if parent < index else -1 for index, parent in enumerate(ous)]
    nodes = [None, *range(len(ous))]
    places = draw(st.lists(st.sampled_from(nodes), min_size=2, max_size=2))
    targets = ["root", *(("ou", i) for i in range(len(ous)))]
    targets += [("account", i) for i in range(3)]
    attachments = draw(
        st.lists(st.tuples(st.sampled_from(targets), DOCUMENTS), max_size=6)
    )
    return {"ous": ous, "places": places, "attachments": attachments}


class Built:
    """A layout made real: ids of the OUs and accounts, and each target's documents in
    the order attached."""

    def __init__(self, tree: Policies, layout: dict[str, Any]) -> None:
        self.tree = tree
        self.ou_parents: list[int] = layout["ous"]
        self.ou_ids: list[str] = []
        for index, parent in enumerate(self.ou_parents):
            parent_id = tree.root_id if parent < 0 else self.ou_ids[parent]
            self.ou_ids.append(tree.ou(f"unit {index}", parent_id))
        self.accounts = [tree.org.manager.id, *(m.id for m in tree.org.members)]
        self.places: list[int | None] = [None, *layout["places"]]
        for account_id, place in zip(self.accounts[1:], layout["places"]):
            if place is not None:
                tree.move(account_id, self.ou_ids[place])
        self.attached: dict[str, list[tuple[str, dict[str, Any]]]] = {}
        for target, document in layout["attachments"]:
            self.attach(self.target_id(target), document)

    def target_id(self, target: Any) -> str:
        if target == "root":
            return self.tree.root_id
        kind, index = target
        return str(self.ou_ids[index] if kind == "ou" else self.accounts[index])

    def attach(self, target_id: str, document: dict[str, Any]) -> str:
        policy_id = self.tree.attach_new(json.dumps(document), target_id)
        self.attached.setdefault(target_id, []).append((policy_id, document))
        return policy_id

    def detach(self, target_id: str, policy_id: str) -> None:
        self.tree.detach(policy_id, target_id)
        self.attached[target_id] = [
            entry for entry in self.attached[target_id] if entry[0] != policy_id
        ]

    def path(self, account: int) -> list[str]:
        """The account's path: the root, its OUs from the top down, the account."""
        chain: list[str] = []
        place = self.places[account]
        while place is not None and place >= 0:
            chain.insert(0, self.ou_ids[place])
            parent = self.ou_parents[place]
            place = parent if parent >= 0 else None
        return [self.tree.root_id, *chain, self.accounts[account]]

    def expected(self, account: int) -> str | None:
        """What the merge makes of the path's documents; None when none is attached."""
        levels = [
            [document for _, document in self.attached.get(target, [])]
            for target in self.path(account)
        ]
        if not any(levels):
            return None
        return render(merge(levels))

    def answer(self, account: int) -> str | None:
        try:
            return self.tree.content(self.accounts[account])
        except ClientError as error:
            assert error.response["Error"]["Code"] == "EffectivePolicyNotFoundException"
            return None


@FEW
@given(layout=layouts(), extra=DOCUMENTS, account=st.integers(0, 2), data=st.data())
def test_property_effective_policy_is_the_merge_of_the_path(
    world: World,
    layout: dict[str, Any],
    extra: dict[str, Any],
    account: int,
    data: st.DataObject,
) -> None:
    built = Built(policies(world, members=2), layout)
    for index in range(3):
        assert built.answer(index) == built.expected(index)
    before = built.answer(account)
    target = data.draw(st.sampled_from(built.path(account)))
    policy_id = built.attach(target, extra)
    assert built.answer(account) == built.expected(account)
    built.detach(target, policy_id)
    assert built.answer(account) == before
