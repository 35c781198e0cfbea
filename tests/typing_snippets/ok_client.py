"""The typed client as its users write it (never run: the client is not connected)."""

from __future__ import annotations

from generated.organizations import OrganizationsClient
from generated.organizations.models import (
    DeclineHandshakeRequest,
    DeclineHandshakeResponse,
    DescribeOrganizationResponse,
    ListPoliciesResponse,
)
from generated.organizations.shapes import PolicyType


def calls(client: OrganizationsClient) -> None:
    declined: DeclineHandshakeResponse = client.decline_handshake(
        handshake_id="h-examplehandshakeid111"
    )
    by_model = client.decline_handshake(
        DeclineHandshakeRequest(handshake_id="h-examplehandshakeid111")
    )
    assert declined == by_model
    organization: DescribeOrganizationResponse = client.describe_organization()
    assert organization.organization is not None
    scps: ListPoliciesResponse = client.list_policies(filter="SERVICE_CONTROL_POLICY")
    tags = client.list_policies(filter=PolicyType.TAG_POLICY, max_results=10)
    assert scps.policies is not None and tags.policies is not None
    for page in client.paginate_list_handshakes_for_account(max_results=5):
        for handshake in page.handshakes or []:
            print(handshake.id, handshake.state)
    client.leave_organization()  # no input, no output
