"""The code lists a facility is described by: legal bases, target groups and methods; and the
regions and municipalities (official DAGI codes) facilities belong to. All read-only.

``PATCH /facilities/{id}`` takes these lists by code (``legal_bases``, ``target_groups``,
``methods``); these collections are where a client finds the codes. They are reference data
shared by all tenants (``tenant_scoped=False``), read by every role (policy row ``code_list``),
and kept in the administration, not over the API: no create, update or delete. A client finds a
municipality's ``id`` (what ``POST /facilities`` and the ``municipality`` filters take) by its
official code: ``GET /municipalities?code=0707``."""

from typing import Annotated, Any

from ninja import Field, Router
from pydantic import StringConstraints

from styrbord.api.crud import Resource, VersionedOut, register
from styrbord.api.resources.organisations import Code
from styrbord.organisations.models import LegalBasis, Method, Municipality, Region, TargetGroup

TAG = "Kodelister"
PLACES_TAG = "Regioner og kommuner"
# An official region or municipality code: four digits (0707 Norddjurs, 1082 Region Midtjylland).
OfficialCode = Annotated[str, StringConstraints(pattern=r"^[0-9]{4}$")]
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
        description=_description(what, field),
    )


LEGAL_BASES = _resource("legal-bases", "legal_basis", LegalBasis, LegalBasisOut, "Lovgrundlagene", "legal_bases")
TARGET_GROUPS = _resource("target-groups", "target_group", TargetGroup, TargetGroupOut, "Målgrupperne", "target_groups")
METHODS = _resource("methods", "method", Method, MethodOut, "Metoderne", "methods")


class RegionOut(VersionedOut):
    id: int
    code: str = Field(description="Regionskoden (DAGI), f.eks. 1082 for Region Midtjylland.")
    name: str


class MunicipalityOut(VersionedOut):
    id: int
    code: str = Field(description="Kommunekoden (DAGI), f.eks. 0707 for Norddjurs.")
    name: str
    region: int = Field(description="Regionens id (se `/regions`).")

    @staticmethod
    def resolve_region(obj: Any) -> int:
        return int(obj.region_id)


REGIONS = Resource(
    name="regions",
    singular="region",
    object_type=OBJECT_TYPE,
    model=Region,
    out=RegionOut,
    tag=PLACES_TAG,
    tenant_scoped=False,
    filters={"code": (OfficialCode, "code")},
    description=(
        "De fem regioner med de officielle koder (Indeholder data fra Klimadatastyrelsen, DAGI). Enhver rolle kan "
        "læse dem. `code` finder én region."
    ),
)

MUNICIPALITIES = Resource(
    name="municipalities",
    singular="municipality",
    object_type=OBJECT_TYPE,
    model=Municipality,
    out=MunicipalityOut,
    tag=PLACES_TAG,
    tenant_scoped=False,
    filters={"code": (OfficialCode, "code"), "region": (int, "region_id")},
    description=(
        "De 98 kommuner med de officielle koder (Indeholder data fra Klimadatastyrelsen, DAGI). Enhver rolle kan "
        "læse dem. `code` finder én kommune (f.eks. `?code=0707`): dens `id` er det, `POST /facilities` og "
        "filtrene `municipality` tager. `region` giver en regions kommuner."
    ),
)


def build() -> Router:
    router = Router()
    register(router, LEGAL_BASES)
    register(router, TARGET_GROUPS)
    register(router, METHODS)
    register(router, REGIONS)
    register(router, MUNICIPALITIES)
    return router
