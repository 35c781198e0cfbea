"""AWS Organizations: the handshake lifecycle (../shared/spec/handshakes.md, R1-R22) and
the operations around it (../shared/spec/organizations.md).

The runtime serves `SERVICE` (`runtime.service.ServiceDefinition`). Layout:

| module | holds |
|---|---|
| `service` | `Handlers` (the composition of the classes below) and `SERVICE`; how to add an operation |
| `base` | `OrganizationsBase`: start-up (R1), seeding, provisionable accounts (M2), the caller, its organization, handshake visibility and documents, paging |
| `organization` | CreateOrganization, DescribeOrganization, EnableAllFeatures |
| `accounts` | ListAccounts, ListTagsForResource |
| `invitations` | InviteAccountToOrganization |
| `handshakes` | DescribeHandshake, ListHandshakesFor*, Accept/Decline/CancelHandshake |
| `policies` | Create/Update/Delete/DescribePolicy, ListPolicies (P7–P14) |
| `attachments` | Enable/DisablePolicyType, Attach/DetachPolicy, ListPoliciesForTarget, ListTargetsForPolicy (P3–P6, P15–P19); SQL of both in `policy_store`, their objects in `policy_documents` |
| `policy_types`, `aws_managed` | P1's table of the policy types and P8's content check; FullAWSAccess and RCPFullAWSAccess (P10) |
| `service_access` | Enable/DisableAWSServiceAccess, ListAWSServiceAccessForOrganization (D1–D5) |
| `delegated` | Register/DeregisterDelegatedAdministrator, ListDelegatedAdministrators, ListDelegatedServicesForAccount (D6–D9); SQL of both in `delegated_store` |
| `principals` | the registry of service principals (D1), the `service_principals` setting's type |
| `errors` | `OrganizationsErrors` (the runtime's generic failures) and the fixed messages |
| `settings` | `OrganizationsSettings` (`--account-limit`, `--daily-invitations`) |
| `documents` | stored rows as response models, built without validation |
| `store`, `schema` | the SQL and the tables (migrations) |
| `seed` | the `--seed` format (`seed_policies`: policies and attachments; `seed_delegated`: trusted access and registrations) |
"""

from handlers.organizations.service import SERVICE, Handlers

__all__ = ["SERVICE", "Handlers"]
