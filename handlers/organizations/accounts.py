"""The accounts of an organization: DescribeAccount, ListAccounts. (Their tags:
`tagging`.)"""

from __future__ import annotations

from generated.organizations.errors import AccountNotFoundException
from generated.organizations.models import (
    DescribeAccountRequest,
    DescribeAccountResponse,
    ListAccountsRequest,
    ListAccountsResponse,
)
from handlers.organizations import store
from handlers.organizations.base import OrganizationsBase
from handlers.organizations.tree import Paths, account_document
from runtime.context import RequestContext

__all__ = ["AccountOperations"]

#: The first sentence of AccountNotFoundException's documentation (C6).
ACCOUNT_NOT_FOUND = (
    "We can't find an Amazon Web Services account with the AccountId that you "
    "specified, or the account whose credentials you used to make this request isn't "
    "a member of an organization."
)


class AccountOperations(OrganizationsBase):
    def describe_account(
        self, context: RequestContext, request: DescribeAccountRequest
    ) -> DescribeAccountResponse:
        """A12: an account of the caller's organization, the management account
        included; any other id is AccountNotFound (C5)."""
        with self.transaction(write=False) as tx:
            access = self._authorize(tx, context, "DescribeAccount")
            org = access.org
            row = store.account(tx, self.db, request.account_id)
            if row is None or row["organization_id"] != org["id"]:
                raise AccountNotFoundException(ACCOUNT_NOT_FOUND)
            self._check_delegate(access, "DescribeAccount")
            return DescribeAccountResponse.model_construct(
                account=account_document(Paths(tx, org), org, row, self.now_ms())
            )

    def list_accounts(
        self, context: RequestContext, request: ListAccountsRequest
    ) -> ListAccountsResponse:
        """A13: the organization's accounts (the management account included), in the
        order they joined (L3)."""
        limit = request.max_results or 20
        with self.transaction(write=False) as tx:
            access = self._authorize(tx, context, "ListAccounts")
            org = access.org
            binding = self._binding("ListAccounts", access)
            after = self._page_after(binding, request.next_token)
            self._check_delegate(access, "ListAccounts")
            rows = store.members(tx, org["id"], after, limit + 1)
            paths = Paths(tx, org)
            now = self.now_ms()
            return ListAccountsResponse.model_construct(
                accounts=[
                    account_document(paths, org, row, now) for row in rows[:limit]
                ],
                next_token=self._next_token(
                    binding, [(row["joined_at"], row["id"]) for row in rows], limit
                ),
            )
