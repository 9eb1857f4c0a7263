"""Which object type and action each API operation needs (the API half of the route policy)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class OperationPolicy:
    object_type: str
    action: str
    resource: str = ""  # the collection the operation belongs to
    generic: bool = False  # one of the generated list/retrieve/create/update/delete/export operations


OPERATIONS: dict[str, OperationPolicy] = {}


def declare(operation_id: str, object_type: str, action: str, resource: str = "", *, generic: bool = False) -> str:
    """Record an operation's policy; returns the operation id for the Ninja decorator."""
    policy = OperationPolicy(object_type, action, resource, generic)
    if operation_id in OPERATIONS and OPERATIONS[operation_id] != policy:
        raise ValueError(f"operation {operation_id!r} declared twice with different policies")
    OPERATIONS[operation_id] = policy
    return operation_id
