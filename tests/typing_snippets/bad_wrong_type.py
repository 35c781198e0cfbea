"""A string where the model wants an integer."""

# expect mypy: Argument "max_results" to "ListAccountsRequest" has incompatible type "str"
# expect pyright: cannot be assigned to parameter "max_results"

from generated.organizations.models import ListAccountsRequest

ListAccountsRequest(max_results="5")  # <- error
