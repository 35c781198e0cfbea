"""A string that is not one of the enum's values."""

# expect mypy: Argument "type_" to "HandshakeParty" has incompatible type "Literal['PERSON']"
# expect pyright: cannot be assigned to parameter "type_"

from generated.organizations.models import HandshakeParty

HandshakeParty(id="222222222222", type_="PERSON")  # <- error
