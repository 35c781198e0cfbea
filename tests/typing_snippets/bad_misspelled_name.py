"""`type` for `type_` (the member is then missing too)."""

# expect mypy: Unexpected keyword argument "type" for "HandshakeParty"
# expect pyright: No parameter named "type"

from generated.organizations.models import HandshakeParty

HandshakeParty(id="222222222222", type="ACCOUNT")  # <- error
