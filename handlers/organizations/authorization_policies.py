"""The authorization policy types' content (organizations.md P8 for SERVICE_CONTROL_POLICY
and RESOURCE_CONTROL_POLICY) and their AWS-managed policies (P10).

`authorization_problem(policy_type, document)` takes what `policy_json.parse_object`
returned and names the first breach of P8's rules, in document order: IAM's grammar as
`policy_grammar` states it (`Version` if present "2012-10-17" or "2008-10-17"; `Statement`
an object or a non-empty array; each statement with `Effect` Allow or Deny, exactly one of
`Action`/`NotAction` of `*` or `service:action` patterns, optional `Sid`,
`Resource`/`NotResource` and `Condition`), and then:

- an SCP statement has no `Principal` and no `NotPrincipal`;
- an RCP statement has `Effect` "Deny" and `"Principal": "*"`.

DECIDED: unknown elements are refused at both levels, as IAM's grammar refuses them (the
top level admits `Id`, as IAM's does). An RCP's `Principal` is only `"*"` (the RCP syntax
page: an RCP narrows principals with conditions), and `NotPrincipal` is in neither type
(IAM: "SCPs and RCPs do not support NotPrincipal"); an RCP with `NotPrincipal` lacks its
`"Principal": "*"`, and that is the problem named.
"""

from __future__ import annotations

from typing import Any, Final

from generated.organizations.shapes import PolicyType
from handlers.organizations.policy_grammar import grammar_problem, statements

__all__ = ["FULL_AWS_ACCESS", "RCP_FULL_AWS_ACCESS", "authorization_problem"]

#: P10: FullAWSAccess's `Content`, the DescribePolicy example of botocore's examples-1.json.
#: That file escapes the string once too often (its `\n` and `\"` are literal backslash
#: sequences, which is not JSON); this is the string it means [DECIDED], and it passes as
#: an SCP.
FULL_AWS_ACCESS: Final = """{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "*",
      "Resource": "*"
    }
  ]
}"""

#: P10: RCPFullAWSAccess's `Content`, FullAWSAccess with `"Principal": "*"` added to the
#: statement. It is AWS-managed and never goes through CreatePolicy, so P8's RCP rules do
#: not apply to it: it is the one RCP with `Effect` "Allow", and `authorization_problem`
#: refuses it as a customer RCP would be refused.
RCP_FULL_AWS_ACCESS: Final = """{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Principal": "*",
      "Action": "*",
      "Resource": "*"
    }
  ]
}"""

_KINDS: Final = {
    PolicyType.SERVICE_CONTROL_POLICY: "a service control policy",
    PolicyType.RESOURCE_CONTROL_POLICY: "a resource control policy",
}


def authorization_problem(policy_type: str, document: dict[str, Any]) -> str | None:
    """None when valid, else a one-sentence message naming the first problem (it becomes
    MalformedPolicyDocumentException's Message). `policy_type` is one of the two
    authorization types (an error otherwise)."""
    rcp = policy_type == PolicyType.RESOURCE_CONTROL_POLICY
    problem = grammar_problem(
        document, kind=_KINDS[PolicyType(policy_type)], principals=rcp, patterns=True
    )
    if problem is not None or not rcp:
        return problem
    for number, statement in enumerate(statements(document), start=1):
        for key, value in (("Effect", "Deny"), ("Principal", "*")):
            if statement.get(key) != value:
                return (
                    f'Statement {number} must have {key} "{value}" in a resource '
                    "control policy."
                )
    return None
