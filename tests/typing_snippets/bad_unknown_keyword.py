"""A keyword that names no member (at run time: TypeError)."""

# expect mypy: Unexpected keyword argument "handshakeid" for "DeclineHandshakeRequest"
# expect pyright: No parameter named "handshakeid"

from generated.organizations.models import DeclineHandshakeRequest

DeclineHandshakeRequest(handshake_id="h-examplehandshakeid111", handshakeid="x")  # <- error
