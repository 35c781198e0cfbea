"""What Organizations answers for the runtime's generic failures, and its fixed messages.

`OrganizationsErrors` is the service's `runtime.service.ErrorPolicy`: the runtime asks it
for the answer to a request that breaks the model's constraints, a bad page token, a
storage lock that cannot be had, throttling and a server fault.

Messages (organizations.md C6): where the spec quotes one it is exact; an
`InvalidInputException`'s `Message` is AWS's sentence for its `Reason` and nothing more —
which member failed, and why, go to the server's log line for the request (the runtime
writes it), never into the answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from generated.organizations.errors import (
    ConcurrentModificationException,
    InvalidInputException,
    ServiceException,
    TooManyRequestsException,
)
from generated.organizations.shapes import InvalidInputExceptionReason as InputReason
from runtime.errors import ServiceError
from runtime.service import ErrorPolicy
from runtime.validation import Failure

__all__ = [
    "ACCESS_DENIED",
    "BUSY",
    "CONSTRAINT_VIOLATION",
    "NOT_FOUND",
    "NOT_IN_USE",
    "OrganizationsErrors",
    "invalid_input",
]

#: Quoted by the spec (C6, R10, R13, R14): exact.
ACCESS_DENIED: Final = "You don't have permissions to access this resource."
NOT_IN_USE: Final = "Your account is not a member of an organization."
BUSY: Final = (
    "AWS Organizations can't complete your request because it conflicts with another "
    "attempt to modify the same entity. Try again later."
)
THROTTLED: Final = (
    "You have sent too many requests in too short a period of time. Try again later."
)
#: The first sentence of HandshakeNotFoundException's documentation (C6).
NOT_FOUND: Final = "We can't find a handshake with the HandshakeId that you specified."
#: The first sentence of ConstraintViolationException's documentation (C6).
CONSTRAINT_VIOLATION: Final = (
    "Performing this operation violates a minimum or maximum value limit."
)
INVALID_NEXT_TOKEN: Final = "The NextToken you provided is not valid for this request."

#: Failure kind (`runtime.validation.KINDS`) -> the Reason it is answered with and AWS's
#: sentence for that Reason (the Reason's text in InvalidInputException's documentation;
#: INVALID_PATTERN as AWS answers it, R8: "does not", where the documentation says
#: "doesn't").
_REASONS: Final[dict[str, tuple[InputReason, str]]] = {
    "required": (
        InputReason.INPUT_REQUIRED,
        "You must include a value for all required parameters.",
    ),
    "max_length": (
        InputReason.MAX_LENGTH_EXCEEDED,
        "You provided a string parameter that is longer than allowed.",
    ),
    "min_length": (
        InputReason.MIN_LENGTH_EXCEEDED,
        "You provided a string parameter that is shorter than allowed.",
    ),
    "max_value": (
        InputReason.MAX_VALUE_EXCEEDED,
        "You provided a numeric parameter that has a larger value than allowed.",
    ),
    "min_value": (
        InputReason.MIN_VALUE_EXCEEDED,
        "You provided a numeric parameter that has a smaller value than allowed.",
    ),
    "pattern": (
        InputReason.INVALID_PATTERN,
        "You provided a value that does not match the required pattern.",
    ),
    "enum": (InputReason.INVALID_ENUM, "You specified an invalid value."),
    # DECIDED: a value the model refuses for another reason (the runtime's `invalid`:
    # today only a union shape with not exactly one member set, and Organizations has
    # none) is INVALID_ENUM, whose sentence, "You specified an invalid value.", is AWS's
    # only one that calls a value invalid without naming a constraint.
    "invalid": (InputReason.INVALID_ENUM, "You specified an invalid value."),
}
#: DECIDED: the documentation words MAX/MIN_LENGTH_EXCEEDED for strings only; a list (or
#: map) that is too long or too short says "list" in the same sentence.
_COLLECTION_SENTENCES: Final = {
    "max_length": "You provided a list that is longer than allowed.",
    "min_length": "You provided a list that is shorter than allowed.",
}


def invalid_input(failure: Failure) -> InvalidInputException:
    """The answer to one broken constraint: its Reason and AWS's sentence, nothing more."""
    reason, sentence = _REASONS.get(failure.kind, _REASONS["invalid"])
    if failure.collection:
        sentence = _COLLECTION_SENTENCES.get(failure.kind, sentence)
    return InvalidInputException(sentence, reason=reason)


class OrganizationsErrors(ErrorPolicy):
    """Organizations' answers: InvalidInputException with a Reason for invalid input and
    bad page tokens, ConcurrentModificationException for a lock that cannot be had (R13),
    TooManyRequestsException (R14), ServiceException for a fault."""

    def invalid_input(self, failures: Sequence[Failure]) -> ServiceError:
        """The Reason of the FIRST failure (the runtime orders them: required, then
        length/range, then pattern, then enum, then anything else; R8)."""
        return invalid_input(failures[0])

    def invalid_token(self) -> ServiceError:
        return InvalidInputException(
            INVALID_NEXT_TOKEN, reason=InputReason.INVALID_NEXT_TOKEN
        )

    def busy(self) -> ServiceError:
        return ConcurrentModificationException(BUSY)

    def throttled(self) -> ServiceError:
        return TooManyRequestsException(THROTTLED)

    def internal(self, request_id: str) -> ServiceError:
        return ServiceException(
            f"An internal error occurred. Request id: {request_id}."
        )
