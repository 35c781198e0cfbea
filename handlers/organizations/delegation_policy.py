# TEMPORARY STUB (not committed): replaced by the documents branch.
from __future__ import annotations
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class DelegationPolicy:
    content: str

    @classmethod
    def parse(cls, content: str) -> DelegationPolicy:
        return cls(content)

    def names(self, account_id: str, operation: str) -> bool:
        return False

    def allows(
        self,
        account_id: str,
        operation: str,
        resource_arns: Sequence[str],
        policy_type: str | None,
    ) -> bool:
        return False
