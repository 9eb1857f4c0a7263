"""How a model declares its way to a tenant; read by ``accounts.permissions``.

Kept in lib (no model imports) so every app's models can declare ``scope_paths``
without importing the accounts app.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ScopePaths:
    """ORM paths from a model to what a role's scope is made of.

    ``facility``: path to a Facility ("" when the model is Facility itself).
    ``employee``: path to an Employee, for the employee role ("" for Employee itself).
    ``grantor``: path to a Grantor, for the grantor role.
    ``municipality``: path to a Municipality, for rows owned by a municipality rather than a facility.
    A path left as None means the role that needs it sees none of the rows.
    """

    facility: str | None = None
    employee: str | None = None
    grantor: str | None = None
    municipality: str | None = None
