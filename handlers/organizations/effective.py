"""Effective policies (organizations.md §8, E1–E12): DescribeEffectivePolicy,
ListAccountsWithInvalidEffectivePolicy, ListEffectivePolicyValidationErrors.

E1: the three operations take the management types only (the model's
`EffectivePolicyType`; an SCP or RCP is the runtime's INVALID_ENUM).

**DescribeEffectivePolicy** checks in V1's order:

- step 4, E2: every account may ask about itself (matrix row 35: `Role.MEMBER`); a
  plain member naming any other id is AccessDenied. A `TargetId` absent is the caller.
- step 6, E2: a root or OU id is InvalidInput TARGET_NOT_SUPPORTED. DECIDED: the kind is
  read from the id alone, as C10 does (`r-`, `ou-`), without looking it up: it is a
  request check, and whether another organization's root exists is not the caller's to
  learn (C5).
- step 7, E2: an id that is not an account of the organization (another
  organization's, a standalone account's, an unknown one, or a value that only passes
  the model's unanchored pattern) is TargetNotFound (C5, C9).
- step 8: a delegate's fine check (Z6, D12) against the account's ARN, with the policy
  type (P20). DECIDED: asking about itself needs no delegation, so a delegate that names
  its own account is not checked (as a plain member is not).
- steps 9–10, E3, P2: EffectivePolicyNotFound when the organization has only
  CONSOLIDATED_BILLING, when the type is not enabled in the root, or when no policy of
  the type is attached anywhere on the account's path. DECIDED: P2's answer comes at
  E3's place, after the target's checks (a consolidated-billing organization has no
  type enabled, so it is E3's first case).

Then E4–E7: the account's path (`effective_store.path`: the root, its OUs from the top
down, the account; each level's attachments of the type in attachment order, read in
one query) merged by `inheritance.merge` and written by `inheritance.render`.

E8's `LastUpdatedTimestamp` is the latest of: a contributing policy's last content
change, an attachment or detachment of the type on any target of the path, the
account's last move, and — DECIDED — the account's joining: the account has had this
effective policy only since it joined, so the answer is never earlier than its
JoinedTimestamp (an account that joins under long-attached policies shows its joining).

DECIDED, hostile fixtures: CreatePolicy and UpdatePolicy store only documents that pass
P8, but a seed could store any text. A stored document that is not strict JSON
(`policy_json`) or breaks P8 for its type (`inheritance.management_problem`) is left out
of the merge, as if it set nothing: the answer is the rest, never a fault. Parsing and
checking is linear in the document; parsed documents are cached by content (bounded,
`_document`), so that repeated questions about one path parse nothing again.

**ListAccountsWithInvalidEffectivePolicy** (E10): the accounts, as A1 shows them, in L3
order (JoinedTimestamp, then id), with at least one validation error of the type (E11)
and, DECIDED, an effective policy of it (E3): the operation lists accounts whose
*effective policy* has errors, and ListEffectivePolicyValidationErrors would answer
EffectivePolicyNotFound for any other. The type not enabled (or consolidated billing,
P2) is EffectivePolicyNotFound, after the delegate's fine check, which — DECIDED — is
against the organization's ARN (the listing names no account; P20 "other reads").

**ListEffectivePolicyValidationErrors** (E12): the account must be in the organization
(AccountNotFound), then the delegate's fine check against the account's ARN, then E3;
the answer has the account's `Path` (A1's) and `EvaluationTimestamp` = E8's timestamp,
and the account's errors as stored (L3), paginated.

E11: the server validates nothing itself; errors are injected by fixtures
(`seed_effective`) and kept until the account departs or the organization is deleted
(`policy_store`). The listings' page tokens are bound to their request members (L2):
the policy type, and for E12 the account.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import groupby
from typing import Any, Final

from generated.organizations.errors import (
    AccessDeniedException,
    AccountNotFoundException,
    EffectivePolicyNotFoundException,
    InvalidInputException,
    TargetNotFoundException,
)
from generated.organizations.models import (
    DescribeEffectivePolicyRequest,
    DescribeEffectivePolicyResponse,
    EffectivePolicy,
    EffectivePolicyValidationError,
    ListAccountsWithInvalidEffectivePolicyRequest,
    ListAccountsWithInvalidEffectivePolicyResponse,
    ListEffectivePolicyValidationErrorsRequest,
    ListEffectivePolicyValidationErrorsResponse,
)
from generated.organizations.shapes import EffectivePolicyType
from generated.organizations.shapes import InvalidInputExceptionReason as InputReason
from handlers.organizations import documents, effective_store, inheritance, tree_store
from handlers.organizations.access import Role
from handlers.organizations.accounts import ACCOUNT_NOT_FOUND
from handlers.organizations.base import Access, OrganizationsBase
from handlers.organizations.errors import ACCESS_DENIED
from handlers.organizations.policy_json import Malformed, parse_object
from handlers.organizations.tree import DEFAULT_PAGE, Paths, account_document
from runtime.clock import from_millis
from runtime.context import RequestContext
from runtime.database import Row, Transaction

__all__ = ["EffectivePolicyOperations"]

#: The first sentence of each error shape's documentation (C6); TARGET_NOT_SUPPORTED's
#: sentence in InvalidInputException's.
EFFECTIVE_POLICY_NOT_FOUND: Final = (
    "If you ran this action on the management account, this policy type is not enabled."
)
TARGET_NOT_FOUND: Final = (
    "We can't find a root, OU, account, or policy with the TargetId that you specified."
)
TARGET_NOT_SUPPORTED: Final = (
    "You can't perform the specified operation on that target entity."
)
#: How many parsed documents `_document` keeps (each at most P1's 10,000 characters
#: when CreatePolicy stored it): a path has at most 10 policies on each of 7 levels.
PARSED_CACHE: Final = 512


@functools.lru_cache(maxsize=PARSED_CACHE)
def _document(policy_type: str, content: str) -> Mapping[str, Any] | None:
    """A stored document parsed (strict JSON, P8), None when it is not a valid document
    of `policy_type` (only a fixture can store one). The result is shared: `merge`
    never changes its documents."""
    try:
        parsed = parse_object(content)
    except Malformed:
        return None
    if inheritance.management_problem(policy_type, parsed) is not None:
        return None
    return parsed


@dataclass(frozen=True)
class _Path:
    """What the account's path holds for one type: each level's stored documents in
    attachment order (root first, the account last) and E8's timestamp."""

    levels: list[list[str]]
    updated: int


class EffectivePolicyOperations(OrganizationsBase):
    # -- shared steps --------------------------------------------------------------------

    @staticmethod
    def _type_available(org: Row, enabled: Sequence[str], policy_type: str) -> None:
        """P2, E3's first case: consolidated billing, or the type not enabled in the
        root, is EffectivePolicyNotFound."""
        if org["feature_set"] != "ALL" or policy_type not in enabled:
            raise EffectivePolicyNotFoundException(EFFECTIVE_POLICY_NOT_FOUND)

    def _path(self, tx: Transaction, org: Row, account: Row, policy_type: str) -> _Path:
        """E3 (steps 9–10), E4, E8: the account's path for the type; EffectivePolicyNotFound
        when the type is not available or nothing of it is attached on the path."""
        self._type_available(
            org, tree_store.enabled_policy_types(tx, org["id"]), policy_type
        )
        rows = effective_store.path(tx, org["id"], org["root_id"], account, policy_type)
        levels: list[list[str]] = []
        updated = max(account["joined_at"] or 0, account["moved_at"] or 0)
        attached = False
        for _, level_rows in groupby(rows, key=lambda row: row["level"]):
            contents: list[str] = []
            for row in level_rows:
                if row["changed_at"] is not None:
                    updated = max(updated, row["changed_at"])
                if row["policy_id"] is None:
                    continue
                attached = True
                if row["content"] is not None:
                    contents.append(row["content"])
                    updated = max(updated, row["content_changed_at"])
            levels.append(contents)
        if not attached:
            raise EffectivePolicyNotFoundException(EFFECTIVE_POLICY_NOT_FOUND)
        return _Path(levels, int(updated))

    # -- the operations ------------------------------------------------------------------

    def describe_effective_policy(
        self, context: RequestContext, request: DescribeEffectivePolicyRequest
    ) -> DescribeEffectivePolicyResponse:
        """E2–E9 (module docstring): the account's management policies of the type,
        merged along its path."""
        policy_type = EffectivePolicyType(request.policy_type)
        kind = policy_type.value
        with self.transaction(write=False) as tx:
            access = self._authorize(tx, context, "DescribeEffectivePolicy")
            org = access.org
            target_id = request.target_id or access.caller.id
            itself = target_id == access.caller.id
            if access.role is Role.MEMBER and not itself:
                raise AccessDeniedException(ACCESS_DENIED)
            if target_id.startswith(("r-", "ou-")):
                raise InvalidInputException(
                    TARGET_NOT_SUPPORTED, reason=InputReason.TARGET_NOT_SUPPORTED
                )
            account = tree_store.account_in(tx, org["id"], target_id)
            if account is None:
                raise TargetNotFoundException(TARGET_NOT_FOUND)
            if not itself:
                self._check_account_delegate(
                    access, "DescribeEffectivePolicy", account, kind
                )
            path = self._path(tx, org, account, kind)
        documents_by_level = [
            [
                parsed
                for content in contents
                if (parsed := _document(kind, content)) is not None
            ]
            for contents in path.levels
        ]
        content = inheritance.render(inheritance.merge(documents_by_level))
        return DescribeEffectivePolicyResponse.model_construct(
            effective_policy=EffectivePolicy.model_construct(
                policy_content=content,
                last_updated_timestamp=from_millis(path.updated),
                target_id=account["id"],
                policy_type=policy_type,
            )
        )

    def list_accounts_with_invalid_effective_policy(
        self,
        context: RequestContext,
        request: ListAccountsWithInvalidEffectivePolicyRequest,
    ) -> ListAccountsWithInvalidEffectivePolicyResponse:
        """E10 (module docstring)."""
        operation = "ListAccountsWithInvalidEffectivePolicy"
        policy_type = EffectivePolicyType(request.policy_type)
        kind = policy_type.value
        limit = request.max_results or DEFAULT_PAGE
        with self.transaction(write=False) as tx:
            access = self._authorize(tx, context, operation)
            org = access.org
            binding = self._binding(operation, access, kind)
            after = self._page_after(binding, request.next_token)
            self._check_delegate(access, operation, None, kind)
            self._type_available(
                org, tree_store.enabled_policy_types(tx, org["id"]), kind
            )
            rows = effective_store.accounts_with_errors(
                tx, org["id"], org["root_id"], kind, after, limit + 1
            )
            paths = Paths(tx, org)
            now = self.now_ms()
            return ListAccountsWithInvalidEffectivePolicyResponse.model_construct(
                accounts=[
                    account_document(paths, org, row, now) for row in rows[:limit]
                ],
                policy_type=policy_type,
                next_token=self._next_token(
                    binding, [(row["joined_at"], row["id"]) for row in rows], limit
                ),
            )

    def list_effective_policy_validation_errors(
        self,
        context: RequestContext,
        request: ListEffectivePolicyValidationErrorsRequest,
    ) -> ListEffectivePolicyValidationErrorsResponse:
        """E11, E12 (module docstring)."""
        operation = "ListEffectivePolicyValidationErrors"
        policy_type = EffectivePolicyType(request.policy_type)
        kind = policy_type.value
        limit = request.max_results or DEFAULT_PAGE
        with self.transaction(write=False) as tx:
            access = self._authorize(tx, context, operation)
            org = access.org
            binding = self._binding(operation, access, request.account_id, kind)
            after = self._page_after(binding, request.next_token)
            account = tree_store.account_in(tx, org["id"], request.account_id)
            if account is None:
                raise AccountNotFoundException(ACCOUNT_NOT_FOUND)
            self._check_account_delegate(access, operation, account, kind)
            path = self._path(tx, org, account, kind)
            rows = effective_store.validation_errors(
                tx,
                org["id"],
                account["id"],
                kind,
                after[0] if after else None,
                limit + 1,
            )
            return ListEffectivePolicyValidationErrorsResponse.model_construct(
                account_id=account["id"],
                policy_type=policy_type,
                path=Paths(tx, org).of_account(account),
                evaluation_timestamp=from_millis(path.updated),
                effective_policy_validation_errors=[
                    EffectivePolicyValidationError.model_construct(
                        error_code=row["error_code"],
                        error_message=row["error_message"],
                        path_to_error=row["path_to_error"],
                        contributing_policies=row["contributing_policies"],
                    )
                    for row in rows[:limit]
                ],
                next_token=self._next_token(
                    binding, [(row["seq"],) for row in rows], limit
                ),
            )

    @staticmethod
    def _check_account_delegate(
        access: Access, operation: str, account: Row, policy_type: str
    ) -> None:
        """V1 step 8 for the per-account operations: DECIDED, the resource is the
        account's ARN (C2), with the policy type (P20)."""
        OrganizationsBase._check_delegate(
            access,
            operation,
            [documents.account_arn(access.org, account["id"])],
            policy_type,
        )
