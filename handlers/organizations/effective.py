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
of the merge, as if it set nothing: the answer is the rest, never a fault. Parsing,
checking and merging are linear in the documents (`inheritance`).

**Caches** (bounded, shared by the worker threads): parsed documents by type and content
(`_document`), and merged answers by type and every document of the path in order
(`effective_content`, `runtime.lru.WeightedLRU`, bounded by answers and by the
characters it keeps). Both are pure functions of their keys, which hold the documents'
full text: an update, an attachment or a move changes the key, so no entry is ever
stale. A path of 70 policies merges in about 8 ms here; answered from the cache, an
account five OUs deep costs what one under the root does (README, Performance).

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
from runtime.lru import WeightedLRU

__all__ = ["EffectivePolicyOperations", "effective_content"]

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
#: when CreatePolicy stored it).
PARSED_CACHE: Final = 256
#: The merged-answer cache's bounds: answers, and characters kept alive (the documents
#: of each key and its answer), about 16 MB of text at most.
MERGED_ENTRIES: Final = 1024
MERGED_CHARACTERS: Final = 16_000_000

#: A path's documents of one type, level by level (root first), as stored.
_Levels = tuple[tuple[str, ...], ...]
_MERGED: Final[WeightedLRU[tuple[str, _Levels], str]] = WeightedLRU(
    MERGED_ENTRIES, MERGED_CHARACTERS
)


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


def effective_content(policy_type: str, levels: _Levels) -> str:
    """E5–E7: the rendered merge of the path's documents (`levels`: each level's stored
    contents in attachment order, root first), documents that are not valid left out.

    Served from `_MERGED` when these very documents were merged before: the merge is a
    function of the type and the documents in order and nothing else, so the key is all
    of them (their text, compared in full), never ids or timestamps that could go stale.
    """
    key = (policy_type, levels)
    found = _MERGED.get(key)
    if found is None:
        parsed = [
            [
                document
                for content in contents
                if (document := _document(policy_type, content)) is not None
            ]
            for contents in levels
        ]
        found = inheritance.render(inheritance.merge(parsed))
        weight = len(found) + sum(len(content) for level in levels for content in level)
        _MERGED.put(key, found, weight)
    return found


@dataclass(frozen=True)
class _Path:
    """What the account's path holds for one type: each level's stored documents in
    attachment order (root first, the account last) and E8's timestamp."""

    levels: _Levels
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
        times = [account["joined_at"] or 0, account["moved_at"] or 0]
        levels: dict[int, list[str]] = {}
        for row in rows:  # in level order: the dict keeps it
            contents = levels.setdefault(row["level"], [])
            changed = row["changed_at"]
            if changed is not None:
                times.append(changed)
            content = row["content"]
            if content is not None:
                contents.append(content)
                times.append(row["content_changed_at"])
        if not any(levels.values()):
            raise EffectivePolicyNotFoundException(EFFECTIVE_POLICY_NOT_FOUND)
        return _Path(tuple(map(tuple, levels.values())), int(max(times)))

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
        content = effective_content(kind, path.levels)
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
