"""What every Organizations operation shares: `OrganizationsBase`.

It sits on the runtime's `ServiceHandler` (transactions, the business clock, page tokens,
settings, the error policy) and the generated `OrganizationsSkeleton` (one method per
operation), and adds the Organizations helpers the resource modules use:

- start-up (R1) and seeding (`start`, `load_seed`), and which provisionable accounts
  exist (`signs`, organizations.md M2);
- who is calling (`_caller`), the organizations it sees (`_organization`, `_sender`);
- who may call what (`_authorize`: Z1–Z5 and the matrix of `access`, V1 steps 2–4;
  `_check_delegate`: the delegation policy's fine check, Z6, V1 step 8);
- handshake visibility and documents (`_is_recipient`, `_visible`, `_document`,
  `_documents`) and R6's persisted expiry (`_persist_expiry`);
- what a handshake action with rules of its own adds to the generic lifecycle (the
  hooks `_handshake_resources`, `_check_answerer`, `_answered`): a resource module
  that defines such an action (TRANSFER_RESPONSIBILITY: `transfer_handshakes`, X4, X5)
  overrides them for its action and hands every other action on with `super()`;
- paging by key (`_next_token`).

Business rules only: requests arrive validated (the runtime did that), answers leave as
the generated models (built without validation, `documents`) or exceptions. Each
operation is one transaction (`self.transaction()`); a lock that cannot be had is the
error policy's ConcurrentModificationException (R13). Handlers run on several worker
threads at once: nothing per request is kept on `self`.
"""

from __future__ import annotations

import functools
import json
import secrets
import string
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from generated.organizations import OrganizationsSkeleton
from generated.organizations.errors import (
    AccessDeniedException,
    AWSOrganizationsNotInUseException,
    HandshakeNotFoundException,
)
from generated.organizations.models import Handshake, HandshakeResource
from generated.organizations.shapes import ActionType, HandshakePartyType
from handlers.organizations import (
    access_store,
    creation_store,
    documents,
    lifecycle,
    organization_store,
    seed,
    store,
)
from handlers.organizations.access import MAY_CALL, Role
from handlers.organizations.delegation_policy import DelegationPolicy
from handlers.organizations.errors import ACCESS_DENIED, NOT_FOUND, NOT_IN_USE
from handlers.organizations.settings import OrganizationsSettings
from handlers.organizations.store import HandshakeRow
from runtime.accounts import Account
from runtime.context import RequestContext
from runtime.database import Row, Transaction
from runtime.handler import ServiceHandler

__all__ = [
    "Access",
    "Caller",
    "OrganizationsBase",
    "new_handshake",
    "new_id",
    "unique_id",
]

_ID_ALPHABET = string.ascii_lowercase + string.digits


def new_id(prefix: str, length: int) -> str:
    """A random id: `prefix` and `length` lowercase letters and digits (C1)."""
    return prefix + "".join(secrets.choice(_ID_ALPHABET) for _ in range(length))


def unique_id(tx: Transaction, prefix: str, length: int) -> str:
    """`new_id`, drawn again while an organization, root or OU has it (C1: ids are
    unique on the server; `r-` + 4 characters can repeat)."""
    while True:
        candidate = new_id(prefix, length)
        if not store.id_taken(tx, candidate):
            return candidate


@functools.lru_cache(maxsize=64)
def _parsed_policy(content: str) -> DelegationPolicy:
    """A stored delegation policy, parsed once per content (the management account
    wrote it, D11; at most 40,000 characters, so the cache stays small)."""
    return DelegationPolicy.parse(content)


def new_handshake(
    organization_id: str,
    action: ActionType,
    state: str,
    now: int,
    target: tuple[str, str] | None = None,
    *,
    notes: str | None = None,
    tags: str | None = None,
    parent_id: str | None = None,
    expires_at: int | None = None,
) -> HandshakeRow:
    """A handshake requested `now`, expiring after its action's lifetime (R3) unless
    `expires_at` says when (a transfer invitation's, X4)."""
    return HandshakeRow(
        id=new_id("h-", 32),
        organization_id=organization_id,
        action=action,
        state=state,
        target_type=target[0] if target else None,
        target_id=target[1] if target else None,
        notes=notes,
        tags=tags,
        parent_id=parent_id,
        requested_at=now,
        expires_at=(
            now + store.LIFETIME_MS[action] if expires_at is None else expires_at
        ),
        state_changed_at=now,
        version=0,
    )


@dataclass(frozen=True)
class Caller:
    """Who is calling, as the database knows them now."""

    id: str
    email: str
    organization_id: str | None
    #: The organization this account manages, if any.
    manages: str | None
    #: Whether the organization it manages has members besides itself (R17).
    has_members: bool
    #: Its State now (A2).
    state: str


@dataclass(frozen=True)
class Access:
    """A caller that passed V1's coarse check (steps 2–4) for one operation: who it is,
    its organization (as `store.organization` reads it, with `root_id`) and the role it
    passed as (`access.Role`)."""

    caller: Caller
    org: Row
    role: Role
    #: The delegation policy that let a DG in (its fine check is `_check_delegate`).
    policy: DelegationPolicy | None = None

    @property
    def organization_arn(self) -> str:
        return documents.organization_arn(self.org)


class OrganizationsBase(ServiceHandler, OrganizationsSkeleton):
    """The shared base of the Organizations handler classes (module docstring)."""

    settings: OrganizationsSettings
    #: The operations wait for nothing but the database (the business clock is a local
    #: file): on SQLite the runtime may start read-only requests on its event loop, and
    #: moves one to a worker thread before it writes (`runtime.handler`). A handler that
    #: would wait for anything else (a sleep, the network) must not live under this base.
    waits_only_on_storage = True

    # -- hooks the runtime calls ---------------------------------------------------------

    def start(self, tx: Transaction) -> None:
        """R1: every account the server knows is in the accounts table (name and email
        as the accounts file says; membership as stored). Provisionable accounts are not:
        they do not exist until created (organizations.md M2)."""
        store.upsert_accounts(
            tx,
            [(a.id, a.name, a.email) for a in self.accounts if not a.provisionable],
        )

    def load_seed(self, tx: Transaction, document: dict[str, Any]) -> None:
        """Fixed organizations and handshakes (`handlers.organizations.seed`)."""
        seed.load(tx, document)

    def signs(self, account: Account) -> bool:
        """A provisionable account signs once it exists: once its row is in the accounts
        table (CreateAccount puts it there, M2). A creation that completed on the
        business clock (M1) but whose account no operation has written yet is settled
        here first (`creation_store.settle`)."""
        with self.transaction(write=False) as tx:
            if store.account(tx, self.db, account.id) is not None:
                return True
            now = self.now_ms()
            settling = creation_store.organization_settling(tx, account.id, now)
        if settling is None:
            return False
        with self.transaction() as tx:
            creation_store.settle(tx, settling, now)
        return True

    # -- the caller and its organization ---------------------------------------------------

    def _caller(
        self, tx: Transaction, context: RequestContext, lock: bool = False
    ) -> Caller:
        row = store.caller(tx, self.db, context.account_id, lock=lock)
        if row is None:  # verified by SigV4 but unknown to the database: not possible
            raise AccessDeniedException(ACCESS_DENIED)
        # Z3 (V1 step 2): a caller whose State is SUSPENDED or CLOSED is refused every
        # operation, before membership and role; PENDING_CLOSURE still works.
        state = self._refuse_closed(row)
        manages = None
        has_members = False
        if row["management_account_id"] == row["id"]:
            manages = row["organization_id"]
            has_members = store.has_other_members(tx, manages, row["id"])
        return Caller(
            row["id"], row["email"], row["organization_id"], manages, has_members, state
        )

    def _refuse_closed(self, row: Row) -> str:
        """Z3 (V1 step 2): a caller whose State is SUSPENDED or CLOSED is refused every
        operation, before membership and role; PENDING_CLOSURE still works. `row` has
        the account's State columns (`store.caller`, `store.organization_of`). The
        caller's State now."""
        state = lifecycle.account_state(row, self.now_ms())
        if state in lifecycle.CLOSED_STATES:
            raise AccessDeniedException(ACCESS_DENIED)
        return state

    def _organization(
        self, tx: Transaction, organization_id: str, lock: bool = False
    ) -> Row:
        org = store.organization(tx, self.db, organization_id, lock=lock)
        assert org is not None, organization_id
        return org

    def _sender(self, tx: Transaction, organization_id: str) -> Row:
        """The organization with its management account's name and email (a deleted
        one's too: its handshakes stay visible, H4)."""
        org = store.sender(tx, organization_id) or organization_store.former_sender(
            tx, organization_id
        )
        assert org is not None, organization_id
        return org

    # -- who may call what (Z1–Z6, `access`) ------------------------------------------------

    def _authorize(
        self,
        tx: Transaction,
        context: RequestContext,
        operation: str,
        *,
        lock: bool = False,
    ) -> Access:
        """V1 steps 2–4 for `operation`: a closed caller is AccessDenied (Z3, in
        `_caller`); a caller in no organization AWSOrganizationsNotInUse (Z1); then the
        first role of the matrix (`access.MAY_CALL`) the caller has: the management
        account; a delegated administrator, on a read marked DA (Z4); a member the
        delegation policy names for the operation (Z5, Z6's coarse check); any member,
        where the matrix lets every account in. Anyone else is AccessDenied (Z2).
        `lock`: the organization's row is locked for the change (C8)."""
        caller = self._caller(tx, context)
        if caller.organization_id is None:
            raise AWSOrganizationsNotInUseException(NOT_IN_USE)
        roles = MAY_CALL[operation]
        org = self._organization(tx, caller.organization_id, lock=lock)
        if caller.manages is not None:
            if Role.MANAGEMENT not in roles:
                raise AccessDeniedException(ACCESS_DENIED)
            return Access(caller, org, Role.MANAGEMENT)
        if Role.DELEGATED_ADMINISTRATOR in roles and (
            access_store.is_delegated_administrator(tx, org["id"], caller.id)
        ):
            return Access(caller, org, Role.DELEGATED_ADMINISTRATOR)
        if Role.DELEGATE in roles:
            policy = self._delegation_policy(tx, org["id"])
            if policy is not None and policy.names(caller.id, operation):
                return Access(caller, org, Role.DELEGATE, policy)
        if Role.MEMBER in roles:
            return Access(caller, org, Role.MEMBER)
        raise AccessDeniedException(ACCESS_DENIED)

    @staticmethod
    def _check_delegate(
        access: Access,
        operation: str,
        resource_arns: Sequence[str] | None = None,
        policy_type: str | None = None,
    ) -> None:
        """V1 step 8 (Z6, D12, P20): a DG's request is allowed only if the delegation
        policy allows `operation` on every ARN of `resource_arns` (the organization's
        ARN when None) for `policy_type`; AccessDenied otherwise. Callers that passed
        as MA, DA or MEMBER pass."""
        if access.role is not Role.DELEGATE:
            return
        assert access.policy is not None
        arns = (
            [access.organization_arn] if resource_arns is None else list(resource_arns)
        )
        if not access.policy.allows(access.caller.id, operation, arns, policy_type):
            raise AccessDeniedException(ACCESS_DENIED)

    def _delegation_policy(
        self, tx: Transaction, organization_id: str
    ) -> DelegationPolicy | None:
        """The organization's delegation policy, parsed (None: it has none, D13)."""
        content = access_store.delegation_policy_content(tx, organization_id)
        return None if content is None else _parsed_policy(content)

    # -- who sees and answers a handshake (R9, R10, R17, R21) ------------------------------

    @staticmethod
    def _is_recipient(row: HandshakeRow, caller: Caller) -> bool:
        """The ACCOUNT party that is the caller, or the EMAIL party that is its email.

        A management account of an organization with members cannot receive invitations
        (R17): it sees none and answers none.
        """
        if row.action == ActionType.INVITE and caller.manages and caller.has_members:
            return False
        if row.target_type == HandshakePartyType.ACCOUNT:
            return row.target_id == caller.id
        if row.target_type == HandshakePartyType.EMAIL:
            return (row.target_id or "").lower() == caller.email.lower()
        return False

    def _visible(
        self, row: HandshakeRow | None, caller: Caller, now: int
    ) -> HandshakeRow:
        """The handshake as of now, if the caller may know it exists; else R9.

        DECIDED (R9): visible to its recipient and to every account of the sending
        organization (R21); unknown, purged (R7) and other accounts' handshakes are all
        "not found" alike, so a non-party learns nothing, not even that the id exists.
        """
        if row is None:
            raise HandshakeNotFoundException(NOT_FOUND)
        current = row.effective(now)
        if current.purged(now):
            raise HandshakeNotFoundException(NOT_FOUND)
        if not (
            self._is_recipient(row, caller)
            or caller.organization_id == row.organization_id
        ):
            raise HandshakeNotFoundException(NOT_FOUND)
        return current

    # -- handshake documents (R3, R4, R6) ------------------------------------------------

    def _document(self, tx: Transaction, row: HandshakeRow) -> Handshake:
        sender = self._sender(tx, row.organization_id)
        return documents.handshake(
            row, sender, self._handshake_resources(tx, row, sender)
        )

    def _documents(
        self, tx: Transaction, rows: Sequence[HandshakeRow], now: int
    ) -> list[Handshake]:
        """Documents of a listing, as of `now`, reading each sender once."""
        senders: dict[str, Row] = {}
        found = []
        for row in rows:
            org_id = row.organization_id
            if org_id not in senders:
                senders[org_id] = self._sender(tx, org_id)
            sender = senders[org_id]
            found.append(
                documents.handshake(
                    row.effective(now),
                    sender,
                    self._handshake_resources(tx, row, sender),
                )
            )
        return found

    # -- hooks of handshake actions with rules of their own (module docstring) -----------

    def _handshake_resources(
        self, tx: Transaction, row: HandshakeRow, sender: Row
    ) -> list[HandshakeResource] | None:
        """The Resources of `row`'s document when its action lays them out itself;
        None: `documents.handshake`'s own (R4). `sender` as `_sender` reads it."""
        return None

    def _check_answerer(
        self, tx: Transaction, row: HandshakeRow, caller: Caller, answer: str
    ) -> None:
        """Who may give `answer` (ACCEPTED, DECLINED, CANCELED) beyond R10, R15 and R16:
        raises AccessDenied for a caller the action refuses. Runs with the caller
        checks, before expiry and state (R9 → caller → R6 → R11)."""

    def _answered(
        self,
        tx: Transaction,
        row: HandshakeRow,
        caller: Caller,
        answer: str,
        now: int,
    ) -> None:
        """What `answer` does besides the handshake's state, in the same transaction
        and after every check of R11 passed; may refuse (an exception undoes the
        answer)."""

    def _persist_expiry(self, rows: Sequence[HandshakeRow], now: int) -> None:
        """R6: a read that found pending handshakes past their expiry stores EXPIRED
        (in a write transaction of its own, after the read's)."""
        for organization_id in sorted(
            {r.organization_id for r in rows if r.effective(now) is not r}
        ):
            with self.transaction() as tx:
                store.persist_expiry(tx, organization_id, now)

    # -- paging (R22, L1–L5) --------------------------------------------------------------

    @staticmethod
    def _binding(operation: str, access: Access, *members: Any) -> str:
        """L2: a page token is bound to the operation, the caller, its organization and
        every request member but NextToken and MaxResults."""
        return json.dumps([operation, access.caller.id, access.org["id"], *members])

    def _page_after(self, binding: str, token: str | None) -> list[Any] | None:
        """The key the page `token` asks for starts after (None: the first page); a
        token that is not ours for `binding` is InvalidInput INVALID_NEXT_TOKEN."""
        position = self.page_position(binding, token)
        return None if position is None else list(position)

    def _next_token(
        self, binding: str, keys: Sequence[Sequence[Any]], limit: int
    ) -> str | None:
        """A token for the page after the first `limit` items, when `keys` (one sort key
        per item found, fetched `limit + 1`) holds one more.

        Listings are ordered by a unique key — (requested_at, id) for handshakes,
        (joined_at, id) for accounts — and the token carries the last key of the page, so
        paging never skips or repeats an item.
        """
        if len(keys) <= limit:
            return None
        return self.page_token(binding, list(keys[limit - 1]))
