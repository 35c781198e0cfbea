"""The generated models as their users write them: every line must type-check."""

from __future__ import annotations

from generated.organizations.models import (
    DeclineHandshakeRequest,
    HandshakeFilter,
    HandshakeParty,
    ListAccountsRequest,
    ListCreateAccountStatusRequest,
)
from generated.organizations.shapes import (
    CreateAccountState,
    HandshakePartyType,
    HandshakeState,
)

# By Python name; an enum member takes the enum or one of its values.
request = DeclineHandshakeRequest(handshake_id="h-examplehandshakeid111")
party = HandshakeParty(id="222222222222", type_="ACCOUNT")
same_party = HandshakeParty(id="222222222222", type_=HandshakePartyType.ACCOUNT)
listing = ListAccountsRequest(max_results=5)
everything = ListAccountsRequest()
by_action = HandshakeFilter(action_type="INVITE")

# Lists of enums: values, members, or a list of members built beforehand.
states = [CreateAccountState.SUCCEEDED, CreateAccountState.FAILED]
ListCreateAccountStatusRequest(states=["IN_PROGRESS"])
ListCreateAccountStatusRequest(states=[CreateAccountState.IN_PROGRESS, "FAILED"])
ListCreateAccountStatusRequest(states=states)

# Wire names are for validation; what is read back is typed as declared.
parsed = DeclineHandshakeRequest.model_validate({"HandshakeId": "h-12345678"})
handshake_id: str = parsed.handshake_id
kind: HandshakePartyType = party.type_
wire: dict[str, object] = request.to_wire()


def is_open(state: HandshakeState | None) -> bool:
    return state in (HandshakeState.OPEN, HandshakeState.REQUESTED)
