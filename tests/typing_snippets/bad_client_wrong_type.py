"""A typed client method given a value of the wrong type."""

# expect mypy: No overload variant of "list_accounts" of "OrganizationsClient" matches argument type "str"
# expect pyright: cannot be assigned to parameter "max_results"

from generated.organizations import OrganizationsClient


def first_page(client: OrganizationsClient) -> None:
    client.list_accounts(max_results="5")  # <- error
