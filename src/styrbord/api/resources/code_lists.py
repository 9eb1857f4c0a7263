"""The code lists a facility is described by: legal bases, target groups and methods (read-only).

``PATCH /facilities/{id}`` takes these lists by code (``legal_bases``, ``target_groups``,
``methods``); these collections are where a client finds the codes. They are reference data
shared by all tenants (``tenant_scoped=False``), read by every role (policy row ``code_list``),
and kept in the administration, not over the API: no create, update or delete."""

from typing import Any

from ninja import Field, Router

from styrbord.api.crud import Resource, VersionedOut, register
from styrbord.api.resources.organisations import Code
from styrbord.organisations.models import LegalBasis, Method, TargetGroup

TAG = "Kodelister"
OBJECT_TYPE = "code_list"
NAME = "Navnet, som det er gemt (på dansk; siderne viser de faste navne på brugerens sprog)."


class LegalBasisOut(VersionedOut):
    id: int
    code: str = Field(description="Koden, som tilbuddets `legal_bases` tager (f.eks. sel-108).")
    name: str = Field(description=NAME)


class TargetGroupOut(VersionedOut):
    id: int
    code: str = Field(description="Koden, som tilbuddets `target_groups` tager (f.eks. psykiatri).")
    name: str = Field(description=NAME)


class MethodOut(VersionedOut):
    id: int
    code: str = Field(description="Koden, som tilbuddets `methods` tager (f.eks. krap).")
    name: str = Field(description=NAME)


EXPORT_COLUMNS: list[tuple[str, Any]] = [
    ("id", lambda item: item.pk),
    ("kode", lambda item: item.code),
    ("navn", lambda item: item.name),
]


def _description(what: str, field: str) -> str:
    return (
        f"{what}, et tilbud kan beskrives med. Send koderne i `{field}` ved `PATCH /api/v1/facilities/{{id}}`. "
        "Fælles referencedata for alle kommuner og regioner: enhver rolle kan læse dem; de vedligeholdes i "
        "administrationen, ikke over API'et. `code` finder én kode (f.eks. for at se, om den findes)."
    )


def _resource(name: str, singular: str, model: Any, out: Any, what: str, field: str) -> Resource:
    return Resource(
        name=name,
        singular=singular,
        object_type=OBJECT_TYPE,
        model=model,
        out=out,
        tag=TAG,
        tenant_scoped=False,
        filters={"code": (Code, "code")},
        export_columns=EXPORT_COLUMNS,
        description=_description(what, field),
    )


LEGAL_BASES = _resource("legal-bases", "legal_basis", LegalBasis, LegalBasisOut, "Lovgrundlagene", "legal_bases")
TARGET_GROUPS = _resource("target-groups", "target_group", TargetGroup, TargetGroupOut, "Målgrupperne", "target_groups")
METHODS = _resource("methods", "method", Method, MethodOut, "Metoderne", "methods")


def build() -> Router:
    router = Router()
    register(router, LEGAL_BASES)
    register(router, TARGET_GROUPS)
    register(router, METHODS)
    return router
