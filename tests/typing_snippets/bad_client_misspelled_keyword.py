"""A typed client method with a misspelled keyword."""

# expect mypy: Unexpected keyword argument "handshake_idd" for overloaded function "decline_handshake"
# expect pyright: No overloads for "decline_handshake" match the provided arguments

from generated.organizations import OrganizationsClient


def decline(client: OrganizationsClient) -> None:
    client.decline_handshake(handshake_idd="h-examplehandshakeid111")  # <- error
