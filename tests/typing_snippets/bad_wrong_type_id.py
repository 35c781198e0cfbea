"""An integer where the model wants a string."""

# expect mypy: Argument "handshake_id" to "DeclineHandshakeRequest" has incompatible type "int"
# expect pyright: cannot be assigned to parameter "handshake_id"

from generated.organizations.models import DeclineHandshakeRequest

DeclineHandshakeRequest(handshake_id=123)  # <- error
