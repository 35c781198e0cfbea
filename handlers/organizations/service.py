"""The handshake lifecycle of AWS Organizations, as `../shared/spec/handshakes.md` states it.

Business rules only: requests arrive validated (the runtime did that), answers leave as
the generated models or exceptions. Each operation is one database transaction; every
transition locks the rows it changes (see `store`), so Accept, Decline and Cancel on one
handshake are serialised across processes and exactly one wins (R13).

Where the spec leaves a choice to us, the choice is written next to the code (DECIDED).
"""

from __future__ import annotations

import json
import secrets
import string
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

from generated.organizations import OrganizationsSkeleton
from generated.organizations.errors import (
    AccessDeniedException,
    AlreadyInOrganizationException,
    AWSOrganizationsNotInUseException,
    ConcurrentModificationException,
    DuplicateHandshakeException,
    HandshakeAlreadyInStateException,
    HandshakeConstraintViolationException,
    HandshakeNotFoundException,
    InvalidHandshakeTransitionException,
    InvalidInputException,
    TargetNotFoundException,
)
from generated.organizations.models import (
    AcceptHandshakeRequest,
    AcceptHandshakeResponse,
    CancelHandshakeRequest,
    CancelHandshakeResponse,
    CreateOrganizationRequest,
    CreateOrganizationResponse,
    DeclineHandshakeRequest,
    DeclineHandshakeResponse,
    DescribeHandshakeRequest,
    DescribeHandshakeResponse,
    DescribeOrganizationResponse,
    EnableAllFeaturesRequest,
    EnableAllFeaturesResponse,
    HandshakeFilter,
    InviteAccountToOrganizationRequest,
    InviteAccountToOrganizationResponse,
    ListAccountsRequest,
    ListAccountsResponse,
    ListHandshakesForAccountRequest,
    ListHandshakesForAccountResponse,
    ListHandshakesForOrganizationRequest,
    ListHandshakesForOrganizationResponse,
    ListTagsForResourceRequest,
    ListTagsForResourceResponse,
    Tag,
)
from generated.organizations.shapes import (
    ActionType,
    HandshakeConstraintViolationExceptionReason as Constraint,
    HandshakePartyType,
    InvalidInputExceptionReason as InputReason,
)
from handlers.organizations import documents, store
from handlers.organizations.store import PENDING, HandshakeRow
from runtime.accounts import Accounts
from runtime.clock import Clock, to_millis, wall_clock
from runtime.context import RequestContext
from runtime.database import Database, Row, StorageBusy, Transaction
from runtime.model import Empty
from runtime.pagination import BadToken, TokenSigner

DAY_MS = 24 * 3600 * 1000
#: Handshake lifetimes (R3).
LIFETIME_MS = {
    ActionType.INVITE: 15 * DAY_MS,
    ActionType.ENABLE_ALL_FEATURES: 90 * DAY_MS,
    ActionType.APPROVE_ALL_FEATURES: 90 * DAY_MS,
}
_ID_ALPHABET = string.ascii_lowercase + string.digits
_EMAIL = "@"

NOT_FOUND = "We can't find a handshake with the HandshakeId that you specified."
ACCESS_DENIED = "You don't have permissions to access this resource."
NOT_IN_USE = "Your account is not a member of an organization."
BUSY = (
    "AWS Organizations can't complete your request because it conflicts with another "
    "attempt to modify the same entity. Try again later."
)
#: What each action does to a handshake, in the words of R11's messages.
_VERB = {"ACCEPTED": "accept", "DECLINED": "decline", "CANCELED": "cancel"}


def new_id(prefix: str, length: int) -> str:
    return prefix + "".join(secrets.choice(_ID_ALPHABET) for _ in range(length))


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
) -> HandshakeRow:
    """A handshake requested `now`, with its action's lifetime (R3)."""
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
        expires_at=now + LIFETIME_MS[action],
        state_changed_at=now,
        version=0,
    )


@dataclass(frozen=True)
class _Caller:
    """Who is calling, as the database knows them now."""

    id: str
    email: str
    organization_id: str | None
    #: The organization this account manages, if any.
    manages: str | None
    #: Members of the organization it manages (itself included).
    managed_members: int


class Handlers(OrganizationsSkeleton):
    """CreateOrganization, DescribeOrganization, ListAccounts and the handshake lifecycle:
    InviteAccountToOrganization, Describe/ListHandshakes*, Accept/Decline/CancelHandshake,
    EnableAllFeatures; and ListTagsForResource for accounts, which shows the tags an
    accepted invitation attached (R17). Every other operation keeps the skeleton's
    not-implemented answer.
    """

    def __init__(
        self,
        database: Database,
        accounts: Accounts,
        *,
        clock: Clock = wall_clock,
        account_limit: int = 10,
        daily_invitations: int = 20,
    ) -> None:
        self.db = database
        self.clock = clock
        self.account_limit = account_limit
        self.daily_invitations = daily_invitations
        with self._transaction() as tx:
            self.db.serialize(tx)  # servers starting together register accounts in turn
            for known in accounts:  # R1: the accounts the server knows
                store.upsert_account(tx, known.id, known.name, known.email)
            secret = store.meta(tx, "page-token-secret", secrets.token_hex(32))
        self.tokens = TokenSigner(bytes.fromhex(secret))

    @classmethod
    def from_options(cls, options: Any) -> Handlers:
        """Built by `botogen serve` from its command line (see botogen/serve.py)."""
        from handlers.organizations.schema import MIGRATIONS
        from handlers.organizations.seed import load_seed
        from runtime.database import open_database

        database = open_database(options.db or "botogen.sqlite3", MIGRATIONS)
        handlers = cls(
            database,
            options.accounts,
            clock=options.clock,
            account_limit=options.account_limit,
        )
        if options.seed:
            with handlers._transaction() as tx:
                database.serialize(tx)
                load_seed(tx, options.seed)
        return handlers

    # -- plumbing ---------------------------------------------------------------------------

    @contextmanager
    def _transaction(self, write: bool = True) -> Iterator[Transaction]:
        """One transaction; a lock that cannot be had becomes ConcurrentModification (R13)."""
        try:
            with self.db.transaction(write) as tx:
                yield tx
        except StorageBusy:
            raise ConcurrentModificationException(BUSY) from None

    def _now(self) -> int:
        return to_millis(self.clock())

    def _caller(
        self, tx: Transaction, context: RequestContext, lock: bool = False
    ) -> _Caller:
        row = store.caller(tx, self.db, context.account_id, lock=lock)
        if row is None:  # verified by SigV4 but unknown to the database: not possible
            raise AccessDeniedException(ACCESS_DENIED)
        manages = None
        managed_members = 0
        if row["management_account_id"] == row["id"]:
            manages = row["organization_id"]
            managed_members = store.member_count(tx, manages)
        return _Caller(
            row["id"], row["email"], row["organization_id"], manages, managed_members
        )

    def _organization(
        self, tx: Transaction, organization_id: str, lock: bool = False
    ) -> Row:
        org = store.organization(tx, self.db, organization_id, lock=lock)
        assert org is not None, organization_id
        return org

    def _sender(self, tx: Transaction, organization_id: str) -> Row:
        org = store.sender(tx, organization_id)
        assert org is not None, organization_id
        return org

    def _document(self, tx: Transaction, row: HandshakeRow) -> Any:
        return documents.handshake(row, self._sender(tx, row.organization_id))

    def _documents(
        self, tx: Transaction, rows: list[HandshakeRow], now: int
    ) -> list[Any]:
        """Documents of a listing, as of `now`, reading each sender once."""
        senders: dict[str, Row] = {}
        found = []
        for row in rows:
            org_id = row.organization_id
            if org_id not in senders:
                senders[org_id] = self._sender(tx, org_id)
            found.append(documents.handshake(row.effective(now), senders[org_id]))
        return found

    def _managed_organization(self, tx: Transaction, caller: _Caller) -> Row:
        """The organization the caller manages: AWSOrganizationsNotInUse outside any,
        AccessDenied for a member."""
        if caller.organization_id is None:
            raise AWSOrganizationsNotInUseException(NOT_IN_USE)
        if caller.manages is None:
            raise AccessDeniedException(ACCESS_DENIED)
        return self._organization(tx, caller.manages)

    # -- who sees and answers a handshake (R9, R10, R17, R21) ----------------------------------

    @staticmethod
    def _is_recipient(row: HandshakeRow, caller: _Caller) -> bool:
        """The ACCOUNT party that is the caller, or the EMAIL party that is its email.

        A management account of an organization with members cannot receive invitations
        (R17): it sees none and answers none.
        """
        if (
            row.action == ActionType.INVITE
            and caller.manages
            and caller.managed_members > 1
        ):
            return False
        if row.target_type == HandshakePartyType.ACCOUNT:
            return row.target_id == caller.id
        if row.target_type == HandshakePartyType.EMAIL:
            return (row.target_id or "").lower() == caller.email.lower()
        return False

    def _visible(
        self, row: HandshakeRow | None, caller: _Caller, now: int
    ) -> HandshakeRow:
        """The handshake as of now, if the caller may know it exists; else R9.

        Visible to its recipient and to every account of the sending organization (R21).
        Unknown, purged (R7) and other accounts' handshakes are all "not found" alike.
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

    # -- organizations (R2) --------------------------------------------------------------------

    def create_organization(
        self, context: RequestContext, request: CreateOrganizationRequest
    ) -> CreateOrganizationResponse:
        feature_set = request.feature_set or "ALL"
        with self._transaction() as tx:
            caller = self._caller(tx, context, lock=True)
            if caller.organization_id is not None:
                raise AlreadyInOrganizationException(
                    "The provided account is already a member of an organization."
                )
            organization_id = new_id("o-", 10)
            now = self._now()
            store.insert_organization(tx, organization_id, caller.id, feature_set, now)
            store.join(tx, caller.id, organization_id, "CREATED", now, None)
            return CreateOrganizationResponse(
                organization=documents.organization(self._sender(tx, organization_id))
            )

    def describe_organization(
        self, context: RequestContext, request: Empty
    ) -> DescribeOrganizationResponse:
        with self._transaction(write=False) as tx:
            caller = self._caller(tx, context)
            if caller.organization_id is None:
                raise AWSOrganizationsNotInUseException(NOT_IN_USE)
            return DescribeOrganizationResponse(
                organization=documents.organization(
                    self._sender(tx, caller.organization_id)
                )
            )

    def list_accounts(
        self, context: RequestContext, request: ListAccountsRequest
    ) -> ListAccountsResponse:
        limit = request.max_results or 20
        with self._transaction(write=False) as tx:
            caller = self._caller(tx, context)
            org = self._managed_organization(tx, caller)
            binding = f"ListAccounts:{org['id']}"
            after = self._position(binding, request.next_token)
            rows = store.members(tx, org["id"], after, limit + 1)
            page = rows[:limit]
            return ListAccountsResponse(
                accounts=[documents.account(org, row) for row in page],
                next_token=self._next(binding, rows, limit),
            )

    def list_tags_for_resource(
        self, context: RequestContext, request: ListTagsForResourceRequest
    ) -> ListTagsForResourceResponse:
        """The tags of an account of the caller's organization: those its invitation
        carried, attached when it was accepted (R17). Other resource kinds (roots, OUs,
        policies) are not modelled here: TargetNotFound."""
        with self._transaction(write=False) as tx:
            caller = self._caller(tx, context)
            org = self._managed_organization(tx, caller)
            row = store.account(tx, self.db, request.resource_id)
            if row is None or row["organization_id"] != org["id"]:
                raise TargetNotFoundException(
                    "We can't find a root, OU, account, or policy with the TargetId that "
                    "you specified."
                )
            tags = json.loads(row["tags"]) if row["tags"] else []
            return ListTagsForResourceResponse(
                tags=[Tag(key=tag["Key"], value=tag["Value"]) for tag in tags]
            )

    # -- paging (R22) ------------------------------------------------------------------------

    def _position(self, binding: str, token: str | None) -> list[Any] | None:
        if token is None:
            return None
        try:
            position = self.tokens.read(binding, token)
        except BadToken:
            raise InvalidInputException(
                "The NextToken you provided is not valid for this request.",
                reason=InputReason.INVALID_NEXT_TOKEN,
            ) from None
        return list(position)

    def _next(self, binding: str, rows: list[Any], limit: int) -> str | None:
        """A token for the page after `rows[:limit]`, when `rows` holds one more.

        Listings are ordered by (requested_at, id) for handshakes and (joined_at, id) for
        accounts: the token carries the last key, so paging never skips or repeats.
        """
        if len(rows) <= limit:
            return None
        last = rows[limit - 1]
        if isinstance(last, HandshakeRow):
            return self.tokens.issue(binding, [last.requested_at, last.id])
        return self.tokens.issue(binding, [last["joined_at"], last["id"]])

    # -- invitations (R17, R18, R19) -----------------------------------------------------------

    def invite_account_to_organization(
        self, context: RequestContext, request: InviteAccountToOrganizationRequest
    ) -> InviteAccountToOrganizationResponse:
        target_type, target_id = request.target.type_, request.target.id
        if target_type == HandshakePartyType.ORGANIZATION:
            raise InvalidInputException(
                "You specified the wrong type of entity (account, organization, or email) "
                "as a party.",
                reason=InputReason.INVALID_PARTY_TYPE_TARGET,
            )
        if target_type == HandshakePartyType.ACCOUNT and not (
            len(target_id) == 12 and target_id.isdigit()
        ):
            raise InvalidInputException(
                "You provided a value that does not match the required pattern. "
                "Target.Id: an account id is 12 digits.",
                reason=InputReason.INVALID_PATTERN,
            )
        if target_type == HandshakePartyType.EMAIL:
            local, at, domain = target_id.partition(_EMAIL)
            if not (local and at and "." in domain):
                raise InvalidInputException(
                    "You specified an invalid email address for the invited account owner.",
                    reason=InputReason.INVALID_EMAIL_ADDRESS_TARGET,
                )
            target_id = target_id.lower()
        with self._transaction() as tx:
            caller = self._caller(tx, context)
            org = self._managed_organization(tx, caller)
            org = self._organization(
                tx, org["id"], lock=True
            )  # serialise the org's invites
            now = self._now()
            store.persist_expiry(tx, org["id"], now)
            if store.pending_count(tx, org["id"], ActionType.ENABLE_ALL_FEATURES, now):
                # DECIDED (as AWS): no invitations while all features are being enabled.
                raise HandshakeConstraintViolationException(
                    "You can't invite accounts while the organization is migrating to all "
                    "features.",
                    reason=Constraint.INVITE_DISABLED_DURING_ENABLE_ALL_FEATURES,
                )
            invited = (
                store.account(tx, self.db, target_id)
                if target_type == HandshakePartyType.ACCOUNT
                else store.account_by_email(tx, target_id)
            )
            if invited is not None and invited["organization_id"] == org["id"]:
                # DECIDED: the organization's own accounts (its management account
                # included) cannot be invited into it again.
                raise HandshakeConstraintViolationException(
                    "The account is already a member of this organization.",
                    reason=Constraint.ALREADY_IN_AN_ORGANIZATION,
                )
            if store.pending_count(
                tx, org["id"], ActionType.INVITE, now, (target_type, target_id)
            ):
                raise DuplicateHandshakeException(
                    "A handshake with the same action and target already exists."
                )
            members = store.member_count(tx, org["id"])
            pending = store.pending_count(tx, org["id"], ActionType.INVITE, now)
            if members + pending >= self.account_limit:
                raise HandshakeConstraintViolationException(
                    f"You have reached the limit of {self.account_limit} accounts (members "
                    "and pending invitations) in the organization.",
                    reason=Constraint.ACCOUNT_NUMBER_LIMIT_EXCEEDED,
                )
            if (
                store.invitations_since(tx, org["id"], now - DAY_MS)
                >= self.daily_invitations
            ):
                raise HandshakeConstraintViolationException(
                    f"You can send at most {self.daily_invitations} invitations a day.",
                    reason=Constraint.HANDSHAKE_RATE_LIMIT_EXCEEDED,
                )
            tags = (
                json.dumps([{"Key": t.key, "Value": t.value} for t in request.tags])
                if request.tags
                else None
            )
            # R5: an invitation is created OPEN.
            row = new_handshake(
                org["id"],
                ActionType.INVITE,
                "OPEN",
                now,
                (target_type, target_id),
                notes=request.notes,
                tags=tags,
            )
            store.insert_handshake(tx, row)
            return InviteAccountToOrganizationResponse(
                handshake=self._document(tx, row)
            )

    # -- reading handshakes (R21, R22) ---------------------------------------------------------

    def describe_handshake(
        self, context: RequestContext, request: DescribeHandshakeRequest
    ) -> DescribeHandshakeResponse:
        now = self._now()
        with self._transaction(write=False) as tx:
            caller = self._caller(tx, context)
            stored = store.handshake(tx, self.db, request.handshake_id)
            row = self._visible(stored, caller, now)
            document = self._document(tx, row)
        self._persist_expiry([stored] if stored else [], now)
        return DescribeHandshakeResponse(handshake=document)

    def _persist_expiry(self, rows: list[HandshakeRow], now: int) -> None:
        """R6: a read that found pending handshakes past their expiry stores EXPIRED."""
        for organization_id in sorted(
            {r.organization_id for r in rows if r.effective(now) is not r}
        ):
            with self._transaction() as tx:
                store.persist_expiry(tx, organization_id, now)

    @staticmethod
    def _filter(found: HandshakeFilter | None) -> tuple[str | None, str | None]:
        if found is None:
            return None, None
        if found.action_type is not None and found.parent_handshake_id is not None:
            raise InvalidInputException(
                "You can specify only one filter parameter for the operation.",
                reason=InputReason.MAX_LIMIT_EXCEEDED_FILTER,
            )
        return (
            found.action_type.value if found.action_type else None
        ), found.parent_handshake_id

    def list_handshakes_for_account(
        self, context: RequestContext, request: ListHandshakesForAccountRequest
    ) -> ListHandshakesForAccountResponse:
        action, parent = self._filter(request.filter)
        limit = request.max_results or 20
        now = self._now()
        with self._transaction(write=False) as tx:
            caller = self._caller(tx, context)
            binding = f"ListHandshakesForAccount:{caller.id}:{action}:{parent}"
            after = self._position(binding, request.next_token)
            # R17: a management account with members receives no invitations.
            managing = caller.manages is not None and caller.managed_members > 1
            rows = store.listing(
                tx,
                now=now,
                recipients=[("ACCOUNT", caller.id), ("EMAIL", caller.email.lower())],
                exclude_action=ActionType.INVITE if managing else None,
                action=action,
                parent_id=parent,
                after=after,
                limit=limit + 1,
            )
            response = ListHandshakesForAccountResponse(
                handshakes=self._documents(tx, rows[:limit], now),
                next_token=self._next(binding, rows, limit),
            )
        self._persist_expiry(rows[:limit], now)
        return response

    def list_handshakes_for_organization(
        self, context: RequestContext, request: ListHandshakesForOrganizationRequest
    ) -> ListHandshakesForOrganizationResponse:
        action, parent = self._filter(request.filter)
        limit = request.max_results or 20
        now = self._now()
        with self._transaction(write=False) as tx:
            caller = self._caller(tx, context)
            org = self._managed_organization(tx, caller)
            binding = f"ListHandshakesForOrganization:{org['id']}:{action}:{parent}"
            after = self._position(binding, request.next_token)
            rows = store.listing(
                tx,
                now=now,
                organization_id=org["id"],
                action=action,
                parent_id=parent,
                after=after,
                limit=limit + 1,
            )
            response = ListHandshakesForOrganizationResponse(
                handshakes=self._documents(tx, rows[:limit], now),
                next_token=self._next(binding, rows, limit),
            )
        self._persist_expiry(rows[:limit], now)
        return response

    # -- answering handshakes (R10, R11, R13, R15, R16) ----------------------------------------

    def _respond(self, context: RequestContext, handshake_id: str, target: str) -> Any:
        """Accept, decline or cancel one handshake, in one locked transaction.

        Checks run in the spec's order: visibility (R9) → caller (R10, R15, R16) → expiry
        (R6, persisted) → state (R11).
        """
        problem: Exception | None = None
        with self._transaction() as tx:
            caller = self._caller(tx, context, lock=target == "ACCEPTED")
            now = self._now()
            # Locks are always taken parent first, then child (PostgreSQL would otherwise
            # deadlock an approval against a cancel of its parent).
            unlocked = store.handshake(tx, self.db, handshake_id)
            if unlocked is not None and unlocked.parent_id is not None:
                store.handshake(tx, self.db, unlocked.parent_id, lock=True)
            stored = store.locked(tx, self.db, unlocked)
            row = self._visible(stored, caller, now)
            assert stored is not None
            self._check_caller(tx, row, caller, target)
            if row.state == "EXPIRED" and stored.state in PENDING:
                # R6: persisted, even though the answer below is an error.
                store.set_state(tx, stored, "EXPIRED", row.state_changed_at)
            problem = self._state_problem(row, target)
            if problem is None:
                if target == "ACCEPTED":
                    self._on_accept(tx, row, caller, now)
                elif (
                    target == "CANCELED"
                    and row.action == ActionType.ENABLE_ALL_FEATURES
                ):
                    for child in store.children(tx, row.id):  # DECIDED: requests go too
                        if child.effective(now).state in PENDING:
                            store.set_state(tx, child, "CANCELED", now)
                if not store.set_state(tx, row, target, now):
                    raise ConcurrentModificationException(BUSY)
                changed = replace(
                    row, state=target, state_changed_at=now, version=row.version + 1
                )
                document = self._document(tx, changed)
        if problem is not None:
            raise problem
        return document

    def _check_caller(
        self, tx: Transaction, row: HandshakeRow, caller: _Caller, target: str
    ) -> None:
        if target == "CANCELED":
            # R15: only the sender's management account cancels.
            org = self._organization(tx, row.organization_id)
            if org["management_account_id"] != caller.id:
                raise AccessDeniedException(ACCESS_DENIED)
            return
        if row.action == ActionType.ENABLE_ALL_FEATURES:
            # Its only party is the organization. Nobody declines it (DECIDED, R10); the
            # management account accepts it once every member has approved (R16).
            org = self._organization(tx, row.organization_id)
            if target == "DECLINED" or org["management_account_id"] != caller.id:
                raise AccessDeniedException(ACCESS_DENIED)
            return
        if not self._is_recipient(row, caller):  # R10, R16: only the recipient answers
            raise AccessDeniedException(ACCESS_DENIED)

    @staticmethod
    def _state_problem(row: HandshakeRow, target: str) -> Exception | None:
        """R11 (and its twins in R15, R16): pending moves on; the same state again is
        HandshakeAlreadyInState; any other terminal state is an invalid transition."""
        if row.state == target:
            return HandshakeAlreadyInStateException(
                f"The handshake {row.id} is already in the {row.state} state."
            )
        if row.state not in PENDING:
            return InvalidHandshakeTransitionException(
                f"You can't {_VERB[target]} the handshake {row.id} because it is in the "
                f"{row.state} state."
            )
        if row.action == ActionType.ENABLE_ALL_FEATURES and target == "ACCEPTED":
            if row.state != "OPEN":  # DECIDED: finalising waits for every approval
                return InvalidHandshakeTransitionException(
                    f"You can't accept the handshake {row.id} because it is in the "
                    f"{row.state} state: every member must approve all features first."
                )
        return None

    def _on_accept(
        self, tx: Transaction, row: HandshakeRow, caller: _Caller, now: int
    ) -> None:
        if row.action == ActionType.INVITE:
            if caller.organization_id is not None:
                raise HandshakeConstraintViolationException(
                    "The account is already a member of an organization.",
                    reason=Constraint.ALREADY_IN_AN_ORGANIZATION,
                )
            store.join(tx, caller.id, row.organization_id, "INVITED", now, row.tags)
        elif (
            row.action == ActionType.APPROVE_ALL_FEATURES and row.parent_id is not None
        ):
            parent = store.handshake(tx, self.db, row.parent_id, lock=True)
            if parent is not None and parent.effective(now).state == "REQUESTED":
                others = [c for c in store.children(tx, parent.id) if c.id != row.id]
                if all(c.state == "ACCEPTED" for c in others):
                    store.set_state(tx, parent, "OPEN", now)  # R16: the last approval
        elif row.action == ActionType.ENABLE_ALL_FEATURES:
            store.set_feature_set(tx, row.organization_id, "ALL")

    def accept_handshake(
        self, context: RequestContext, request: AcceptHandshakeRequest
    ) -> AcceptHandshakeResponse:
        return AcceptHandshakeResponse(
            handshake=self._respond(context, request.handshake_id, "ACCEPTED")
        )

    def decline_handshake(
        self, context: RequestContext, request: DeclineHandshakeRequest
    ) -> DeclineHandshakeResponse:
        return DeclineHandshakeResponse(
            handshake=self._respond(context, request.handshake_id, "DECLINED")
        )

    def cancel_handshake(
        self, context: RequestContext, request: CancelHandshakeRequest
    ) -> CancelHandshakeResponse:
        return CancelHandshakeResponse(
            handshake=self._respond(context, request.handshake_id, "CANCELED")
        )

    # -- all features (R20) --------------------------------------------------------------------

    def enable_all_features(
        self, context: RequestContext, request: EnableAllFeaturesRequest
    ) -> EnableAllFeaturesResponse:
        with self._transaction() as tx:
            caller = self._caller(tx, context)
            org = self._managed_organization(tx, caller)
            org = self._organization(tx, org["id"], lock=True)
            now = self._now()
            store.persist_expiry(tx, org["id"], now)
            if org["feature_set"] == "ALL":
                raise HandshakeConstraintViolationException(
                    "The organization already has all features enabled.",
                    reason=Constraint.ORGANIZATION_ALREADY_HAS_ALL_FEATURES,
                )
            if store.pending_count(tx, org["id"], ActionType.ENABLE_ALL_FEATURES, now):
                raise HandshakeConstraintViolationException(
                    "The organization is already migrating to all features.",
                    reason=Constraint.ORGANIZATION_IS_ALREADY_PENDING_ALL_FEATURES_MIGRATION,
                )
            for invite in store.pending_of(tx, org["id"], ActionType.INVITE, now):
                store.set_state(tx, invite, "CANCELED", now)
            approvers = store.invited_members(tx, org["id"])
            # R5: the request is REQUESTED and each member's approval OPEN. DECIDED: with no
            # member to approve, it is ready to finalise (OPEN) at once.
            parent = new_handshake(
                org["id"],
                ActionType.ENABLE_ALL_FEATURES,
                "REQUESTED" if approvers else "OPEN",
                now,
            )
            store.insert_handshake(tx, parent)
            for member in approvers:
                store.insert_handshake(
                    tx,
                    new_handshake(
                        org["id"],
                        ActionType.APPROVE_ALL_FEATURES,
                        "OPEN",
                        now,
                        ("ACCOUNT", member["id"]),
                        parent_id=parent.id,
                    ),
                )
            return EnableAllFeaturesResponse(handshake=self._document(tx, parent))
