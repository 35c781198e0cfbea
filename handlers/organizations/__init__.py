"""AWS Organizations: the handshake lifecycle (../shared/spec/handshakes.md, R1-R22) and
the operations around it (../shared/spec/organizations.md); all 63 operations of the model.

The runtime serves `SERVICE` (`runtime.service.ServiceDefinition`). Each operation module
keeps its SQL in a `*_store` module beside it (rows in, rows out, no business rules).

| module | holds |
|---|---|
| `service` | `Handlers` (the composition of the classes below) and `SERVICE`; how to add an operation |
| `base` | `OrganizationsBase`: start-up (R1), seeding, provisionable accounts (M2), the caller and its authorization (Z1–Z6, V1), its organization, handshake visibility and documents, paging |
| `access`, `access_store` | who may call what (§2's matrix) as data; whether a member is a delegated administrator or a delegate |
| `organization`, `organization_store` | CreateOrganization, DescribeOrganization, DeleteOrganization, EnableAllFeatures (O1–O8) |
| `accounts` | DescribeAccount, ListAccounts (A12, A13) |
| `creation`, `creation_store` | CreateAccount, CreateGovCloudAccount, Describe/ListCreateAccountStatus (A3–A11) |
| `departure`, `departure_store` | MoveAccount, RemoveAccountFromOrganization, LeaveOrganization, CloseAccount (A15–A21) |
| `tree`, `tree_store` | ListRoots, the OUs, ListAccountsForParent, ListChildren, ListParents (O6, O7, A14, U1–U10) |
| `tagging`, `tag_store` | TagResource, UntagResource, ListTagsForResource (T1–T7) |
| `invitations` | InviteAccountToOrganization (R17–R19) |
| `handshakes` | DescribeHandshake, ListHandshakesFor*, Accept/Decline/CancelHandshake (R10–R16, R21, R22) |
| `policies` | Create/Update/Delete/DescribePolicy, ListPolicies (P7–P14) |
| `attachments` | Enable/DisablePolicyType, Attach/DetachPolicy, ListPoliciesForTarget, ListTargetsForPolicy (P3–P6, P15–P19); SQL of both in `policy_store`, their objects in `policy_documents` |
| `policy_types`, `aws_managed` | P1's table of the policy types and P8's content check; FullAWSAccess and RCPFullAWSAccess (P10) |
| `policy_json`, `policy_grammar`, `authorization_policies`, `management_syntax`, `wildcards` | the document checks of P8 and D11: strict JSON, IAM's grammar, SCPs and RCPs, the management types' syntax, IAM's wildcards |
| `effective`, `effective_store`, `inheritance` | DescribeEffectivePolicy, ListAccountsWithInvalidEffectivePolicy, ListEffectivePolicyValidationErrors (E1–E12); the merge itself (E4–E7), pure |
| `service_access` | Enable/DisableAWSServiceAccess, ListAWSServiceAccessForOrganization (D1–D5) |
| `delegated`, `delegated_store` | Register/DeregisterDelegatedAdministrator, ListDelegatedAdministrators, ListDelegatedServicesForAccount (D6–D10) |
| `resource_policy`, `resource_policy_documents`, `resource_policy_store`, `delegation_policy`, `arns` | Put/Describe/DeleteResourcePolicy (D11–D14) and the delegation policy's evaluation (Z5, Z6, D12, P20) |
| `transfers`, `transfer_handshakes`, `transfer_documents`, `transfer_dates`, `transfer_store` | the responsibility-transfer operations and the TRANSFER_RESPONSIBILITY handshake (X1–X12, H8) |
| `cascade` | what a change to the tree does to the other areas (P5, P19, A18, U5, O5) |
| `principals` | the registry of service principals (D1), the `service_principals` setting's type |
| `lifecycle` | States that follow from stored times and the business clock (C3) |
| `errors` | `OrganizationsErrors` (the runtime's generic failures) and the fixed messages |
| `settings` | `OrganizationsSettings` (M7: `--account-limit`, `--daily-invitations`, the quotas, …) |
| `documents` | stored rows as response models, built without validation |
| `store`, `schema` | the SQL of accounts, organizations and handshakes; the tables (migrations) |
| `seed`, `seeding`, `seed_*` | the `--seed` format (M8): the organizations, accounts and handshakes in `seed`, what every section shares in `seeding`, one `seed_*` module per area |
"""

from handlers.organizations.service import SERVICE, Handlers

__all__ = ["SERVICE", "Handlers"]
