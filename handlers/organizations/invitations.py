"""Inviting accounts: InviteAccountToOrganization (R17, R18, R19)."""

from __future__ import annotations

from typing import Final

from pydantic import TypeAdapter, ValidationError

from generated.organizations.errors import (
    DuplicateHandshakeException,
    HandshakeConstraintViolationException,
    InvalidInputException,
)
from generated.organizations.models import (
    HandshakeParty,
    InviteAccountToOrganizationRequest,
    InviteAccountToOrganizationResponse,
)
from generated.organizations.shapes import (
    AccountId,
    ActionType,
    HandshakeConstraintViolationExceptionReason as Constraint,
    HandshakePartyType,
    InvalidInputExceptionReason as InputReason,
)
from handlers.organizations import creation_store, errors, store, tag_store
from handlers.organizations.tagging import check_tag_limit, validate_new_tags
from handlers.organizations.base import OrganizationsBase, new_handshake
from runtime.context import RequestContext
from runtime.validation import Failure

__all__ = ["InvitationOperations", "check_account_target", "checked_target"]

#: The model's own account id shape (`^\d{12}$`, ASCII digits only): a target ACCOUNT id
#: is checked as the model would check an AccountId member.
_ACCOUNT_ID: Final[TypeAdapter[str]] = TypeAdapter(AccountId)


def _is_account_id(value: str) -> bool:
    try:
        _ACCOUNT_ID.validate_python(value)
    except ValidationError:
        return False
    return True


def check_account_target(target: HandshakeParty) -> None:
    """V1 step 1 for an invitation's target (R17, and X2's transfer invitations): an
    ACCOUNT target's id is checked as the model checks an AccountId."""
    if target.type_ == HandshakePartyType.ACCOUNT and not _is_account_id(target.id):
        # The model types Target.Id loosely (any party id); an ACCOUNT target is an
        # AccountId, and fails as that member's pattern would (R8's answer).
        raise errors.invalid_input(
            Failure("Target.Id", "pattern", "Member must be an account id")
        )


def checked_target(target_type: str, target_id: str) -> str:
    """R17's request checks on the target (and X2's): an ORGANIZATION is
    INVALID_PARTY_TYPE_TARGET, an address without a local part, an `@` and a dotted
    domain INVALID_EMAIL_ADDRESS_TARGET. The target's id as stored (addresses
    lowercased)."""
    if target_type == HandshakePartyType.ORGANIZATION:
        raise InvalidInputException(
            "You specified the wrong type of entity (account, organization, or email) "
            "as a party.",
            reason=InputReason.INVALID_PARTY_TYPE_TARGET,
        )
    if target_type == HandshakePartyType.EMAIL:
        local, at, domain = target_id.partition("@")
        if not (local and at and "." in domain):
            raise InvalidInputException(
                "You specified an invalid email address for the invited account owner.",
                reason=InputReason.INVALID_EMAIL_ADDRESS_TARGET,
            )
        return target_id.lower()
    return target_id


class InvitationOperations(OrganizationsBase):
    def invite_account_to_organization(
        self, context: RequestContext, request: InviteAccountToOrganizationRequest
    ) -> InviteAccountToOrganizationResponse:
        """R17: the management account invites an account, by id or by email; R18's daily
        quota and R19's account limit apply. The invitation is created OPEN (R5).

        V1's order: an ACCOUNT target's id is checked as the model checks an AccountId
        (step 1); then who calls (steps 2–4); then the request's own checks (step 6):
        the party type, the email address, the tags (T3, T6)."""
        check_account_target(request.target)
        target_type = request.target.type_
        with self.transaction() as tx:
            # Locked: the organization's invitations are serialised (R18, R19 counts).
            org = self._authorize(
                tx, context, "InviteAccountToOrganization", lock=True
            ).org
            target_id = checked_target(target_type, request.target.id)
            # T6: the tags are checked per T3 at the invitation (attached on acceptance,
            # H7).
            validate_new_tags(request.tags or [])
            now = self.now_ms()
            store.persist_expiry(tx, org["id"], now)
            # Completed creations are accounts before anything is counted (M1, H5).
            creation_store.settle(tx, org["id"], now)
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
            # T3's limit on the account the tags will go to: the invited account's (it
            # has none outside an organization, T7), or none yet for an email.
            check_tag_limit(
                tx,
                invited["id"] if invited is not None else target_id,
                request.tags or [],
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
            limit = self.settings.account_limit
            # R19, H5: one count with CreateAccount's (A4): the accounts not CLOSED (the
            # management account included), pending invitations, creations IN_PROGRESS.
            counted = (
                creation_store.counted_accounts(tx, org["id"], now, up_to=limit)
                + store.pending_count(tx, org["id"], ActionType.INVITE, now)
                + creation_store.in_progress_count(tx, org["id"], now)
            )
            if counted >= limit:
                raise HandshakeConstraintViolationException(
                    f"You have reached the limit of {limit} accounts (members "
                    "and pending invitations) in the organization.",
                    reason=Constraint.ACCOUNT_NUMBER_LIMIT_EXCEEDED,
                )
            daily = self.settings.daily_invitations
            if store.invitations_since(tx, org["id"], now - store.DAY_MS) >= daily:
                raise HandshakeConstraintViolationException(
                    f"You can send at most {daily} invitations a day.",
                    reason=Constraint.HANDSHAKE_RATE_LIMIT_EXCEEDED,
                )
            row = new_handshake(
                org["id"],
                ActionType.INVITE,
                "OPEN",  # R5: an invitation is created OPEN
                now,
                (target_type, target_id),
                notes=request.notes,
                tags=tag_store.dump_stored(request.tags or []),
            )
            store.insert_handshake(tx, row)
            return InviteAccountToOrganizationResponse.model_construct(
                handshake=self._document(tx, row)
            )
