"""Who may call what (organizations.md §2, Z1–Z6, and the matrix), as data.

`MAY_CALL` is the matrix: for each operation the roles that pass V1's coarse check
(step 4). `OrganizationsBase._authorize` applies it after Z3 (closed callers, step 2) and
Z1 (callers in no organization, step 3):

- **MA**, the management account, passes wherever the matrix names it;
- **DA**, a member registered as delegated administrator for at least one service (D6),
  passes the reads marked DA (Z4), never a write (Z5);
- **DG**, a member that some Allow statement of the organization's delegation policy
  names for the operation (D11, D12), passes the operations marked DG (Z5); its
  request is checked again, against the resources it names, at step 8
  (`OrganizationsBase._check_delegate`, Z6, D12, P20);
- **MEMBER**: any account of the organization, where the matrix lets every account in
  (DescribeEffectivePolicy for itself, E2).

Anyone else is AccessDenied (Z2). Operations the matrix decides otherwise are not here
and keep their own rules: CreateOrganization (O1), DescribeOrganization (O4, every
account), LeaveOrganization (A17, members) and the handshake operations (R10–R22).

"The MA of either side" (rows 59, 62, 63, and a transfer's tags, rows 48–50) is two
checks: the coarse one here, the management account (of whichever organization calls),
and the side at step 7, where a transfer the caller's organization is no side of is
not found (`transfers`, X7; `tagging`, T1).
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from typing import Final

__all__ = ["MAY_CALL", "Role"]


class Role(Enum):
    """What the caller is to its organization, for the operation at hand (C4)."""

    MANAGEMENT = "MA"
    DELEGATED_ADMINISTRATOR = "DA"
    DELEGATE = "DG"
    MEMBER = "member"


_MA: Final = frozenset({Role.MANAGEMENT})
#: Reads the matrix marks "MA, DA, DG".
_READ: Final = frozenset({Role.MANAGEMENT, Role.DELEGATED_ADMINISTRATOR, Role.DELEGATE})
#: Writes the matrix marks "MA, DG".
_DELEGABLE: Final = frozenset({Role.MANAGEMENT, Role.DELEGATE})

#: The matrix of §2, row by row (its numbers in the comments).
MAY_CALL: Final[Mapping[str, frozenset[Role]]] = {
    "DeleteOrganization": _MA,  # 3
    "ListRoots": _READ,  # 4
    "EnableAllFeatures": _MA,  # 5
    "CreateAccount": _MA,  # 6
    "CreateGovCloudAccount": _MA,  # 7
    "DescribeCreateAccountStatus": _READ,  # 8
    "ListCreateAccountStatus": _READ,  # 9
    "DescribeAccount": _READ,  # 10
    "ListAccounts": _READ,  # 11
    "ListAccountsForParent": _READ,  # 12
    "MoveAccount": _MA,  # 13
    "RemoveAccountFromOrganization": _MA,  # 14
    "CloseAccount": _MA,  # 16
    "CreateOrganizationalUnit": _MA,  # 17
    "UpdateOrganizationalUnit": _MA,  # 18
    "DeleteOrganizationalUnit": _MA,  # 19
    "DescribeOrganizationalUnit": _READ,  # 20
    "ListOrganizationalUnitsForParent": _READ,  # 21
    "ListChildren": _READ,  # 22
    "ListParents": _READ,  # 23
    "EnablePolicyType": _DELEGABLE,  # 24
    "DisablePolicyType": _DELEGABLE,  # 25
    "CreatePolicy": _DELEGABLE,  # 26
    "UpdatePolicy": _DELEGABLE,  # 27
    "DeletePolicy": _DELEGABLE,  # 28
    "DescribePolicy": _READ,  # 29
    "ListPolicies": _READ,  # 30
    "ListPoliciesForTarget": _READ,  # 31
    "ListTargetsForPolicy": _READ,  # 32
    "AttachPolicy": _DELEGABLE,  # 33
    "DetachPolicy": _DELEGABLE,  # 34
    # 35: every account for itself; a member naming another account is refused by the
    # operation (E2) unless it is also a DA or DG.
    "DescribeEffectivePolicy": _READ | {Role.MEMBER},
    "ListAccountsWithInvalidEffectivePolicy": _READ,  # 36
    "ListEffectivePolicyValidationErrors": _READ,  # 37
    "EnableAWSServiceAccess": _MA,  # 38
    "DisableAWSServiceAccess": _MA,  # 39
    "ListAWSServiceAccessForOrganization": _READ,  # 40
    "RegisterDelegatedAdministrator": _MA,  # 41
    "DeregisterDelegatedAdministrator": _MA,  # 42
    "ListDelegatedAdministrators": _READ,  # 43
    "ListDelegatedServicesForAccount": _READ,  # 44
    "PutResourcePolicy": _MA,  # 45
    "DescribeResourcePolicy": _READ,  # 46
    "DeleteResourcePolicy": _MA,  # 47
    # 48–50: a transfer's tags are for the MA of either side (X7): a DA or DG passes
    # here, then learns at steps 7-8 that the transfer is not for it (`tagging`).
    "TagResource": _DELEGABLE,  # 48
    "UntagResource": _DELEGABLE,  # 49
    "ListTagsForResource": _READ,  # 50
    "InviteAccountToOrganization": _MA,  # 51
    "ListHandshakesForOrganization": _READ,  # 57 (R22 as amended)
    "InviteOrganizationToTransferResponsibility": _MA,  # 58
    "DescribeResponsibilityTransfer": _MA,  # 59: of either side (X7, step 7)
    "ListInboundResponsibilityTransfers": _MA,  # 60
    "ListOutboundResponsibilityTransfers": _MA,  # 61
    "UpdateResponsibilityTransfer": _MA,  # 62: of either side (X9, step 7)
    "TerminateResponsibilityTransfer": _MA,  # 63: of either side (X10, step 7)
}
