"""The organization's tree: its root and organizational units, and where accounts sit
in it (organizations.md O6, O7, A1, A14, U1–U10).

ListRoots, Create/Update/Delete/DescribeOrganizationalUnit,
ListOrganizationalUnitsForParent, ListChildren, ListParents, ListAccountsForParent;
and `Paths`, the `Path` of an OU and the `Paths` of an account, which DescribeAccount
and ListAccounts use too.

Who may call (Z1–Z6, matrix rows 4, 12, 17–23): the management account for the writes;
it, delegated administrators and delegates for the reads. Every operation checks in
V1's order: input (the runtime), membership and role (`_authorize`), request checks
(tags, page tokens), existence (NotFound), the delegate's fine check
(`_check_delegate`), state conflicts (duplicate name, not empty), limits.
Each changing operation is one transaction that locks the organization's row first, so
OU writes of one organization are serialised (C8): two racing creations cannot both pass
the duplicate-name or limit checks.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from generated.organizations.errors import (
    ChildNotFoundException,
    ConstraintViolationException,
    DuplicateOrganizationalUnitException,
    OrganizationalUnitNotEmptyException,
    OrganizationalUnitNotFoundException,
    ParentNotFoundException,
)
from generated.organizations.models import (
    Account,
    Child,
    CreateOrganizationalUnitRequest,
    CreateOrganizationalUnitResponse,
    DeleteOrganizationalUnitRequest,
    DescribeOrganizationalUnitRequest,
    DescribeOrganizationalUnitResponse,
    ListAccountsForParentRequest,
    ListAccountsForParentResponse,
    ListChildrenRequest,
    ListChildrenResponse,
    ListOrganizationalUnitsForParentRequest,
    ListOrganizationalUnitsForParentResponse,
    ListParentsRequest,
    ListParentsResponse,
    ListRootsRequest,
    ListRootsResponse,
    OrganizationalUnit,
    Parent,
    PolicyTypeSummary,
    Root,
    Tag,
    UpdateOrganizationalUnitRequest,
    UpdateOrganizationalUnitResponse,
)
from generated.organizations.shapes import (
    ChildType,
    ConstraintViolationExceptionReason as Constraint,
    ParentType,
    PolicyType,
    PolicyTypeStatus,
)
from handlers.organizations import (
    cascade,
    documents,
    lifecycle,
    tag_store,
    tree_store,
)
from handlers.organizations.arns import ou_arn, root_arn
from handlers.organizations.base import OrganizationsBase, unique_id
from handlers.organizations.tagging import check_request_tag_count, validate_new_tags
from runtime.context import RequestContext
from runtime.database import Row, Transaction

__all__ = [
    "Paths",
    "TreeOperations",
    "account_document",
    "ou_arn",
    "root_arn",
    "root_document",
]

#: The first sentence of each error shape's documentation (C6), DuplicateOrganizationalUnit
#: as C6 quotes it.
PARENT_NOT_FOUND: Final = (
    "We can't find a root or OU with the ParentId that you specified."
)
OU_NOT_FOUND: Final = (
    "We can't find an OU with the OrganizationalUnitId that you specified."
)
OU_NOT_EMPTY: Final = "The specified OU is not empty."
DUPLICATE_OU: Final = "An OU with the same name already exists."
CHILD_NOT_FOUND: Final = (
    "We can't find an organizational unit (OU) or Amazon Web Services account with the "
    "ChildId that you specified."
)
CONSTRAINT_VIOLATION: Final = (
    "Performing this operation violates a minimum or maximum value limit."
)
#: L1: a page holds at most this many items when MaxResults is absent.
DEFAULT_PAGE: Final = 20


# -- paths (A1, U1) ---------------------------------------------------------------------------


class Paths:
    """Paths of entities of one organization (`org` as `store.organization` reads it,
    with `root_id`), reading each parent OU's chain once."""

    def __init__(self, tx: Transaction, org: Row) -> None:
        self._tx = tx
        self._root = f"{org['id']}/{org['root_id']}/"
        self._root_id: str = org["root_id"]
        self._parents: dict[str, str] = {}

    def under(self, parent_id: str | None) -> str:
        """The path of the root or OU `parent_id` (the root's for None)."""
        if parent_id is None or parent_id == self._root_id:
            return self._root
        path = self._parents.get(parent_id)
        if path is None:
            chain = tree_store.ancestry(self._tx, parent_id)
            path = self._root + "".join(f"{ou_id}/" for ou_id in chain)
            self._parents[parent_id] = path
        return path

    def of_account(self, row: Row) -> str:
        """A1: `O/<root>/<ous…>/<account id>/`."""
        return f"{self.under(row['parent_id'])}{row['id']}/"

    def of_ou(self, row: Row) -> str:
        """U1: `O/<root>/<ancestor ous>/<ou id>/`."""
        return f"{self.under(row['parent_id'])}{row['id']}/"


def account_document(paths: Paths, org: Row, row: Row, now: int) -> Account:
    """The account object of A1, with its `Paths` and its State at `now` (A2), as
    DescribeAccount, ListAccounts and ListAccountsForParent show it."""
    return documents.account(
        org,
        row,
        path=paths.of_account(row),
        state=lifecycle.account_state(row, now),
    )


def root_document(tx: Transaction, org: Row) -> Root:
    """O6: the organization's root, with the policy types enabled in it in the order
    they were enabled, each ENABLED (M4), as ListRoots, EnablePolicyType and
    DisablePolicyType answer it."""
    return Root.model_construct(
        id=org["root_id"],
        arn=root_arn(org),
        name="Root",
        policy_types=[
            PolicyTypeSummary.model_construct(
                type_=documents.member(PolicyType, policy_type),
                status=PolicyTypeStatus.ENABLED,
            )
            for policy_type in tree_store.enabled_policy_types(tx, org["id"])
        ],
    )


def ou_document(paths: Paths, org: Row, row: Row) -> OrganizationalUnit:
    return OrganizationalUnit.model_construct(
        id=row["id"],
        arn=ou_arn(org, row["id"]),
        name=row["name"],
        path=paths.of_ou(row),
    )


# -- the operations ---------------------------------------------------------------------------


class TreeOperations(OrganizationsBase):
    # -- shared checks -----------------------------------------------------------------------

    def _parent_depth(self, tx: Transaction, org: Row, parent_id: str) -> int:
        """The depth of the root (0) or OU `parent_id` of `org`; anything else, another
        organization's included, is ParentNotFound (A14, U2, U7, U8, C5, C9, C10)."""
        if parent_id == org["root_id"]:
            return 0
        row = tree_store.ou(tx, org["id"], parent_id)
        if row is None:
            raise ParentNotFoundException(PARENT_NOT_FOUND)
        return int(row["depth"])

    def _ou(self, tx: Transaction, org: Row, ou_id: str) -> Row:
        row = tree_store.ou(tx, org["id"], ou_id)
        if row is None:
            raise OrganizationalUnitNotFoundException(OU_NOT_FOUND)
        return row

    @staticmethod
    def _check_tags(tags: Sequence[Tag] | None) -> list[tuple[str, str]]:
        """T3, T6 at creation, in T3's order: a key twice, a system key, too many.

        DECIDED: at creation all three are request checks (V1 step 6, V2 "OU writes:
        tags"): the new resource has no stored tags, so its count is the request's.
        """
        validate_new_tags(tags or [])
        check_request_tag_count(tags or [])
        return [(tag.key, tag.value) for tag in tags or []]

    # -- the root (O6, O7) -------------------------------------------------------------------

    def list_roots(
        self, context: RequestContext, request: ListRootsRequest
    ) -> ListRootsResponse:
        """O6: the one root, with the policy types enabled in it in the order they
        were enabled. A page always holds it, so no token is ever issued and any token
        sent is INVALID_NEXT_TOKEN (L2)."""
        with self.transaction(write=False) as tx:
            access = self._authorize(tx, context, "ListRoots")
            org = access.org
            self._page_after(self._binding("ListRoots", access), request.next_token)
            self._check_delegate(access, "ListRoots")
            return ListRootsResponse.model_construct(roots=[root_document(tx, org)])

    # -- OU writes (U2–U5) ---------------------------------------------------------------------

    def create_organizational_unit(
        self, context: RequestContext, request: CreateOrganizationalUnitRequest
    ) -> CreateOrganizationalUnitResponse:
        """U2, U3, T6: checks in order: tags; the parent; a sibling of the same name;
        depth; the organization's OU count. The new OU is `ou-<root suffix>-<8>` (C1).
        """
        with self.transaction() as tx:
            org = self._authorize(
                tx, context, "CreateOrganizationalUnit", lock=True
            ).org
            tags = self._check_tags(request.tags)
            depth = self._parent_depth(tx, org, request.parent_id) + 1
            if tree_store.sibling_named(tx, request.parent_id, request.name):
                raise DuplicateOrganizationalUnitException(DUPLICATE_OU)
            if depth > self.settings.ou_depth_limit:
                raise ConstraintViolationException(
                    CONSTRAINT_VIOLATION, reason=Constraint.OU_DEPTH_LIMIT_EXCEEDED
                )
            if tree_store.ou_count(tx, org["id"]) >= self.settings.ou_limit:
                raise ConstraintViolationException(
                    CONSTRAINT_VIOLATION, reason=Constraint.OU_NUMBER_LIMIT_EXCEEDED
                )
            ou_id = unique_id(tx, f"ou-{org['root_id'][2:]}-", 8)
            tree_store.insert_ou(
                tx,
                ou_id,
                org["id"],
                request.parent_id,
                request.name,
                depth,
                self.now_ms(),
            )
            tag_store.add_tags(tx, ou_id, tags)
            cascade.newcomer(tx, org["id"], ou_id, self.now_ms())
            row = self._ou(tx, org, ou_id)
            return CreateOrganizationalUnitResponse.model_construct(
                organizational_unit=ou_document(Paths(tx, org), org, row)
            )

    def update_organizational_unit(
        self, context: RequestContext, request: UpdateOrganizationalUnitRequest
    ) -> UpdateOrganizationalUnitResponse:
        """U4: renames the OU; no Name, or its own name, changes nothing (DECIDED); a
        sibling's name is DuplicateOrganizationalUnit. The answer is the OU after."""
        with self.transaction() as tx:
            org = self._authorize(
                tx, context, "UpdateOrganizationalUnit", lock=True
            ).org
            row = self._ou(tx, org, request.organizational_unit_id)
            name = request.name
            if name is not None and name != row["name"]:
                if tree_store.sibling_named(tx, row["parent_id"], name, row["id"]):
                    raise DuplicateOrganizationalUnitException(DUPLICATE_OU)
                tree_store.rename_ou(tx, row["id"], name)
                row = self._ou(tx, org, row["id"])
            return UpdateOrganizationalUnitResponse.model_construct(
                organizational_unit=ou_document(Paths(tx, org), org, row)
            )

    def delete_organizational_unit(
        self, context: RequestContext, request: DeleteOrganizationalUnitRequest
    ) -> None:
        """U5: an empty OU goes, with its tags (T7) and its policy attachments (P19);
        one with a child OU or an account is OrganizationalUnitNotEmpty."""
        with self.transaction() as tx:
            org = self._authorize(
                tx, context, "DeleteOrganizationalUnit", lock=True
            ).org
            row = self._ou(tx, org, request.organizational_unit_id)
            if tree_store.has_children(tx, row["id"]):
                raise OrganizationalUnitNotEmptyException(OU_NOT_EMPTY)
            tree_store.delete_ou(tx, row["id"])
            cascade.target_removed(tx, row["id"])

    # -- reading the tree (U6–U9, A14) --------------------------------------------------------

    def describe_organizational_unit(
        self, context: RequestContext, request: DescribeOrganizationalUnitRequest
    ) -> DescribeOrganizationalUnitResponse:
        """U6."""
        with self.transaction(write=False) as tx:
            access = self._authorize(tx, context, "DescribeOrganizationalUnit")
            org = access.org
            row = self._ou(tx, org, request.organizational_unit_id)
            self._check_delegate(access, "DescribeOrganizationalUnit")
            return DescribeOrganizationalUnitResponse.model_construct(
                organizational_unit=ou_document(Paths(tx, org), org, row)
            )

    def list_organizational_units_for_parent(
        self,
        context: RequestContext,
        request: ListOrganizationalUnitsForParentRequest,
    ) -> ListOrganizationalUnitsForParentResponse:
        """U7: the OUs directly under the parent, by creation time then id (L3)."""
        limit = request.max_results or DEFAULT_PAGE
        with self.transaction(write=False) as tx:
            access = self._authorize(tx, context, "ListOrganizationalUnitsForParent")
            org = access.org
            binding = self._binding(
                "ListOrganizationalUnitsForParent", access, request.parent_id
            )
            after = self._page_after(binding, request.next_token)
            self._parent_depth(tx, org, request.parent_id)
            self._check_delegate(access, "ListOrganizationalUnitsForParent")
            rows = tree_store.ous_under(tx, request.parent_id, after, limit + 1)
            paths = Paths(tx, org)
            return ListOrganizationalUnitsForParentResponse.model_construct(
                organizational_units=[
                    ou_document(paths, org, row) for row in rows[:limit]
                ],
                next_token=self._next_token(
                    binding, [(row["created_at"], row["id"]) for row in rows], limit
                ),
            )

    def list_children(
        self, context: RequestContext, request: ListChildrenRequest
    ) -> ListChildrenResponse:
        """U8: the direct children of one type: OUs by creation time, accounts by
        JoinedTimestamp, then id (L3)."""
        limit = request.max_results or DEFAULT_PAGE
        child_type = ChildType(request.child_type)
        with self.transaction(write=False) as tx:
            access = self._authorize(tx, context, "ListChildren")
            org = access.org
            binding = self._binding(
                "ListChildren", access, request.parent_id, child_type.value
            )
            after = self._page_after(binding, request.next_token)
            self._parent_depth(tx, org, request.parent_id)
            self._check_delegate(access, "ListChildren")
            if child_type == ChildType.ACCOUNT:
                rows = tree_store.accounts_under(
                    tx, org["id"], request.parent_id, after, limit + 1
                )
                keys = [(row["joined_at"], row["id"]) for row in rows]
            else:
                rows = tree_store.ous_under(tx, request.parent_id, after, limit + 1)
                keys = [(row["created_at"], row["id"]) for row in rows]
            return ListChildrenResponse.model_construct(
                children=[
                    Child.model_construct(id=row["id"], type_=child_type)
                    for row in rows[:limit]
                ],
                next_token=self._next_token(binding, keys, limit),
            )

    def list_parents(
        self, context: RequestContext, request: ListParentsRequest
    ) -> ListParentsResponse:
        """U9: the one parent of an account or OU of the organization; anything else
        is ChildNotFound (C5, C9). One item: no token is ever issued (L2)."""
        with self.transaction(write=False) as tx:
            access = self._authorize(tx, context, "ListParents")
            org = access.org
            binding = self._binding("ListParents", access, request.child_id)
            self._page_after(binding, request.next_token)
            child = tree_store.ou(tx, org["id"], request.child_id)
            if child is None:
                child = tree_store.account_in(tx, org["id"], request.child_id)
            if child is None:
                raise ChildNotFoundException(CHILD_NOT_FOUND)
            self._check_delegate(access, "ListParents")
            parent_id = child["parent_id"] or org["root_id"]
            parent_type = (
                ParentType.ROOT
                if parent_id == org["root_id"]
                else ParentType.ORGANIZATIONAL_UNIT
            )
            return ListParentsResponse.model_construct(
                parents=[Parent.model_construct(id=parent_id, type_=parent_type)]
            )

    def list_accounts_for_parent(
        self, context: RequestContext, request: ListAccountsForParentRequest
    ) -> ListAccountsForParentResponse:
        """A14: the accounts directly under the root or OU, in JoinedTimestamp then id
        order (L3), each as A1 shows it."""
        limit = request.max_results or DEFAULT_PAGE
        with self.transaction(write=False) as tx:
            access = self._authorize(tx, context, "ListAccountsForParent")
            org = access.org
            binding = self._binding("ListAccountsForParent", access, request.parent_id)
            after = self._page_after(binding, request.next_token)
            self._parent_depth(tx, org, request.parent_id)
            self._check_delegate(access, "ListAccountsForParent")
            rows = tree_store.accounts_under(
                tx, org["id"], request.parent_id, after, limit + 1
            )
            paths = Paths(tx, org)
            now = self.now_ms()
            return ListAccountsForParentResponse.model_construct(
                accounts=[
                    account_document(paths, org, row, now) for row in rows[:limit]
                ],
                next_token=self._next_token(
                    binding, [(row["joined_at"], row["id"]) for row in rows], limit
                ),
            )
