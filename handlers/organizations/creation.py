"""Creating accounts: CreateAccount, CreateGovCloudAccount, DescribeCreateAccountStatus,
ListCreateAccountStatus (organizations.md A3–A11, H5, H6, M1, M2).

A request is answered IN_PROGRESS at once (A5); its outcome is decided then (A6) and
stored with the instant it completes, requested + `create_account_delay_ms` on the
business clock (M1). Its State as read is derived (`lifecycle.request_state`); the
account of a SUCCEEDED request is written when its completion has come
(`creation_store.settle`, whose docstring says why and when).

Who may call (Z1–Z6): the management account for CreateAccount and
CreateGovCloudAccount; it, delegated administrators and delegates for the status reads
(`_authorize`); any other member gets AccessDenied, an account in no organization
AWSOrganizationsNotInUse, a caller whose State is SUSPENDED or CLOSED AccessDenied
before anything else.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Sequence
from typing import Final

from generated.organizations.errors import (
    ConstraintViolationException,
    CreateAccountStatusNotFoundException,
    InvalidInputException,
)
from generated.organizations.models import (
    CreateAccountRequest,
    CreateAccountResponse,
    CreateAccountStatus,
    CreateGovCloudAccountRequest,
    CreateGovCloudAccountResponse,
    DescribeCreateAccountStatusRequest,
    DescribeCreateAccountStatusResponse,
    ListCreateAccountStatusRequest,
    ListCreateAccountStatusResponse,
    Tag,
)
from generated.organizations.shapes import (
    ActionType,
    ConstraintViolationExceptionReason as Limit,
    CreateAccountFailureReason as Failure,
    CreateAccountState,
    InvalidInputExceptionReason as InputReason,
)
from handlers.organizations import creation_store, lifecycle, store
from handlers.organizations.base import OrganizationsBase, new_id
from handlers.organizations.documents import member
from handlers.organizations.tagging import check_request_tag_count, validate_new_tags
from runtime.clock import from_millis
from runtime.context import RequestContext
from runtime.database import Row, Transaction

__all__ = ["CreationOperations", "email_problem"]

#: C6: the first sentence of ConstraintViolationException's documentation.
CONSTRAINT_VIOLATION: Final = (
    "Performing this operation violates a minimum or maximum value limit."
)
#: C6: the first sentence of CreateAccountStatusNotFoundException's documentation.
STATUS_NOT_FOUND: Final = (
    "We can't find an create account request with the CreateAccountRequestId that "
    "you specified."
)
#: InvalidInputException's sentences for its Reasons (C6: the Reason's text alone).
INVALID_ROLE_NAME: Final = (
    "You provided a role name that isn't valid. A role name can't begin with the "
    "reserved prefix AWSServiceRoleFor."
)
#: A7: what RoleName and IamUserAccessToBilling default to (stored only).
DEFAULT_ROLE_NAME: Final = "OrganizationAccountAccessRole"
DEFAULT_BILLING_ACCESS: Final = "ALLOW"

#: A6: characters a local part may not contain (besides whitespace).
_LOCAL_FORBIDDEN: Final = frozenset("\"'()<>[]:;,\\|%&")
_DOMAIN_ALLOWED: Final = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-"
)


def email_problem(email: str) -> bool:
    """Whether `email` breaks one of the model's documented address rules that its
    pattern (`[^\\s@]+@[^\\s@]+\\.[^\\s@]+`, unanchored) does not catch (A6): more
    than one `@`; a local part with whitespace, one of `" ' ( ) < > [ ] : ; , \\ | % &`
    or a leading dot; a domain with characters outside `[A-Za-z0-9.-]`, starting or
    ending with `-` or `.`, or without a dot. DECIDED: a character beyond 7-bit ASCII
    anywhere (the documentation's first rule) is a problem too."""
    if not email.isascii() or email.count("@") != 1:
        return True
    local, _, domain = email.partition("@")
    if (
        not local
        or local.startswith(".")
        or any(c.isspace() or c in _LOCAL_FORBIDDEN for c in local)
    ):
        return True
    return (
        not domain
        or any(c not in _DOMAIN_ALLOWED for c in domain)
        or domain[0] in ".-"
        or domain[-1] in ".-"
        or "." not in domain
    )


def _checked_tags(tags: Sequence[Tag] | None) -> str | None:
    """T3 for the tags of a create request (T6), in its order: a key twice →
    DUPLICATE_TAG_KEY; an `aws:` key (any case) → INVALID_SYSTEM_TAGS_PARAMETER; more
    than 50 → ConstraintViolation MAX_TAG_LIMIT_EXCEEDED. The tags as stored (JSON)."""
    if not tags:
        return None
    validate_new_tags(tags)
    check_request_tag_count(tags)
    return json.dumps([{"Key": tag.key, "Value": tag.value} for tag in tags])


def _status(row: Row, now: int) -> CreateAccountStatus:
    """A8: the status record as of `now`; CompletedTimestamp and AccountId or
    FailureReason once complete, GovCloudAccountId never."""
    state = lifecycle.request_state(row, now)
    done = state != lifecycle.IN_PROGRESS
    succeeded = state == CreateAccountState.SUCCEEDED
    reason = row["failure_reason"] if done else None
    return CreateAccountStatus.model_construct(
        id=row["id"],
        account_name=row["account_name"],
        state=member(CreateAccountState, state),
        requested_timestamp=from_millis(row["requested_at"]),
        completed_timestamp=from_millis(row["completes_at"]) if done else None,
        account_id=row["account_id"] if succeeded else None,
        failure_reason=None if reason is None else member(Failure, reason),
    )


class CreationOperations(OrganizationsBase):
    # -- who may call ------------------------------------------------------------------

    # -- CreateAccount ---------------------------------------------------------------------

    def create_account(
        self, context: RequestContext, request: CreateAccountRequest
    ) -> CreateAccountResponse:
        """A4–A7, M1: the checks, in V1's order, then a request IN_PROGRESS whose
        outcome is decided now and shows from its completion on."""
        now = self.now_ms()
        with self.transaction(write=False) as tx:
            org = self._authorize(tx, context, "CreateAccount").org
            pending = creation_store.unsettled(tx, org["id"], now)
        if pending:
            # Accounts whose creation completed exist whatever this request's checks
            # decide: written in a transaction of their own (idempotent), first.
            self._settle(org["id"], now)
        with self.transaction() as tx:
            org = self._authorize(tx, context, "CreateAccount").org
            # V1 step 6: request-only checks, in the model's member order.
            role_name = request.role_name or DEFAULT_ROLE_NAME
            if role_name.startswith("AWSServiceRoleFor"):
                raise InvalidInputException(
                    INVALID_ROLE_NAME, reason=InputReason.INVALID_ROLE_NAME
                )
            tags = _checked_tags(request.tags)
            # Locked: the organization's counts (H5, shared with R19's invitations) and
            # the address's creations (A3, across organizations) are serialised.
            org = self._organization(tx, org["id"], lock=True)
            creation_store.lock_email(tx, self.db, request.email)
            now = self.now_ms()  # after the locks: later than what they waited for
            creation_store.settle(tx, org["id"], now)
            # V1 step 11: limits (A4).
            in_progress = creation_store.in_progress_count(tx, org["id"], now)
            limit = self.settings.account_limit
            counted = (
                creation_store.counted_accounts(tx, org["id"], now, up_to=limit)
                + store.pending_count(tx, org["id"], ActionType.INVITE, now)
                + in_progress
            )
            if counted >= limit:  # H5
                raise ConstraintViolationException(
                    CONSTRAINT_VIOLATION, reason=Limit.ACCOUNT_NUMBER_LIMIT_EXCEEDED
                )
            if in_progress >= self.settings.creations_in_progress_limit:
                raise ConstraintViolationException(
                    CONSTRAINT_VIOLATION,
                    reason=Limit.ACCOUNT_CREATION_RATE_LIMIT_EXCEEDED,
                )
            outcome, failure, account_id = self._outcome(tx, request.email, now)
            request_id = self._request_id(tx)
            completes_at = now + self.settings.create_account_delay_ms
            creation_store.insert_request(
                tx,
                {
                    "id": request_id,
                    "organization_id": org["id"],
                    "account_name": request.account_name,
                    "email": request.email,
                    "requested_at": now,
                    "completes_at": completes_at,
                    "outcome": outcome,
                    "failure_reason": failure,
                    "account_id": account_id,
                    "role_name": role_name,
                    "iam_user_access_to_billing": (
                        request.iam_user_access_to_billing or DEFAULT_BILLING_ACCESS
                    ),
                    "tags": tags,
                },
            )
            if completes_at <= now:  # M1 without a delay: the account exists now
                creation_store.settle(tx, org["id"], now)
            return CreateAccountResponse.model_construct(
                create_account_status=CreateAccountStatus.model_construct(
                    id=request_id,
                    account_name=request.account_name,
                    state=CreateAccountState.IN_PROGRESS,  # A5, even if complete
                    requested_timestamp=from_millis(now),
                )
            )

    def _outcome(
        self, tx: Transaction, email: str, now: int
    ) -> tuple[str, str | None, str | None]:
        """A6, first match wins: (outcome, failure reason, account id)."""
        if email_problem(email):
            return "FAILED", Failure.INVALID_EMAIL, None
        if creation_store.email_in_progress(tx, email, now):
            return "FAILED", Failure.CONCURRENT_ACCOUNT_MODIFICATION, None
        if creation_store.email_in_use(tx, email, now):
            return "FAILED", Failure.EMAIL_ALREADY_EXISTS, None
        return "SUCCEEDED", None, self._new_account_id(tx, email)

    def _new_account_id(self, tx: Transaction, email: str) -> str:
        """M2: the id of the provisionable accounts-file entry with this email (its
        keys sign once the account exists); else C1's fresh 12 digits, the first not
        0, that no account the server knows or will create has."""
        lowered = email.lower()
        for known in self.accounts:
            if known.provisionable and known.email.lower() == lowered:
                return known.id
        while True:
            candidate = str(10**11 + secrets.randbelow(9 * 10**11))
            if self.accounts.by_id(candidate) is None and not (
                creation_store.account_id_taken(tx, candidate)
            ):
                return candidate

    @staticmethod
    def _request_id(tx: Transaction) -> str:
        """C1: `car-` and 32 random characters, unique on the server."""
        while True:
            candidate = new_id("car-", 32)
            if not creation_store.request_id_taken(tx, candidate):
                return candidate

    # -- CreateGovCloudAccount -------------------------------------------------------------

    def create_gov_cloud_account(
        self, context: RequestContext, request: CreateGovCloudAccountRequest
    ) -> CreateGovCloudAccountResponse:
        """A11: no GovCloud partition here. After V1 steps 1–4 and T3's tag checks,
        ConstraintViolation MASTER_ACCOUNT_NOT_GOVCLOUD_ENABLED; nothing is created."""
        with self.transaction(write=False) as tx:
            self._authorize(tx, context, "CreateGovCloudAccount")
        _checked_tags(request.tags)
        raise ConstraintViolationException(
            CONSTRAINT_VIOLATION, reason=Limit.MASTER_ACCOUNT_NOT_GOVCLOUD_ENABLED
        )

    # -- reading the status records ----------------------------------------------------------

    def describe_create_account_status(
        self, context: RequestContext, request: DescribeCreateAccountStatusRequest
    ) -> DescribeCreateAccountStatusResponse:
        """A9: a request of the caller's organization, as of now; any other id,
        unknown or another organization's, is CreateAccountStatusNotFound (C5)."""
        with self.transaction(write=False) as tx:
            now = self.now_ms()
            access = self._authorize(tx, context, "DescribeCreateAccountStatus")
            org = access.org
            row = creation_store.request(tx, request.create_account_request_id)
            if row is None or row["organization_id"] != org["id"]:
                raise CreateAccountStatusNotFoundException(STATUS_NOT_FOUND)
            self._check_delegate(access, "DescribeCreateAccountStatus")
            answer = DescribeCreateAccountStatusResponse.model_construct(
                create_account_status=_status(row, now)
            )
            pending = creation_store.unsettled(tx, org["id"], now)
        if pending:
            self._settle(org["id"], now)
        return answer

    def list_create_account_status(
        self, context: RequestContext, request: ListCreateAccountStatusRequest
    ) -> ListCreateAccountStatusResponse:
        """A10: the organization's requests whose State now is one of `States` (absent
        or empty: all), in (RequestedTimestamp, Id) order (L3), paged as L1–L5."""
        limit = request.max_results or 20
        states = sorted({str(state) for state in request.states or ()})
        with self.transaction(write=False) as tx:
            now = self.now_ms()
            access = self._authorize(tx, context, "ListCreateAccountStatus")
            org = access.org
            binding = self._binding("ListCreateAccountStatus", access, states)
            after = self._page_after(binding, request.next_token)
            self._check_delegate(access, "ListCreateAccountStatus")
            rows = creation_store.requests(tx, org["id"], now, states, after, limit + 1)
            answer = ListCreateAccountStatusResponse.model_construct(
                create_account_statuses=[_status(row, now) for row in rows[:limit]],
                next_token=self._next_token(
                    binding, [(row["requested_at"], row["id"]) for row in rows], limit
                ),
            )
            pending = creation_store.unsettled(tx, org["id"], now)
        if pending:
            self._settle(org["id"], now)
        return answer

    def _settle(self, organization_id: str, now: int) -> None:
        """A read found a completed creation whose account is not written yet: write it
        (its own write transaction after the read's, idempotent, as R6 persists
        expiry), so that the AccountId just shown names an existing account."""
        with self.transaction() as tx:
            creation_store.settle(tx, organization_id, now)
