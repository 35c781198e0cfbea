"""Wire names are for `model_validate`: type checkers know the Python names only."""

# expect mypy: Unexpected keyword argument "HandshakeId" for "DeclineHandshakeRequest"
# expect pyright: No parameter named "HandshakeId"

from generated.organizations.models import DeclineHandshakeRequest

DeclineHandshakeRequest(HandshakeId="h-examplehandshakeid111")  # <- error
