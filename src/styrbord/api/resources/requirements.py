"""Competence requirements and the coverage figures the engine computes from them.

A role sees the requirements of its own tenant plus the national, regional and municipal
requirements that apply to the facilities in its scope; it changes only its own tenant's.
Coverage is counted per requirement x facility for the facilities in scope (no names).
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from styrbord.accounts.permissions import LIST, can, is_administrator, scope, scoped_for
from styrbord.api import choices as C  # noqa: N812
from styrbord.api import schemas
from styrbord.api.crud import Resource, VersionedOut, field_error, item_errors, register
from styrbord.api.registry import declare
from styrbord.competences.models import Competence
from styrbord.lib.dates import local_today
from styrbord.organisations.models import Facility, Municipality, Region, Unit
from styrbord.requirements.coverage import coverage_for, requirements_for
from styrbord.requirements.models import Population, Priority, Requirement, Rule, ScopeLevel, SourceKind

TAG = "Kompetencekrav"


class RequirementOut(VersionedOut):
    id: int
    name: str
    description: str
    scope_level: str
    region: int | None
    municipality: int | None
    facility: int | None
    unit: int | None
    job_groups: list[str]
    population: str
    effective_from: dt.date | None
    competences: list[int]
    rule: str
    target_percent: Decimal
    months: int | None
    deadline: dt.date | None
    priority: int
    source_kind: str
    source_reference: str
    is_active: bool

    @staticmethod
    def resolve_region(obj: Requirement) -> int | None:
        return obj.region_id

    @staticmethod
    def resolve_municipality(obj: Requirement) -> int | None:
        return obj.municipality_id

    @staticmethod
    def resolve_facility(obj: Requirement) -> int | None:
        return obj.facility_id

    @staticmethod
    def resolve_unit(obj: Requirement) -> int | None:
        return obj.unit_id

    @staticmethod
    def resolve_competences(obj: Requirement) -> list[int]:
        return sorted(c.pk for c in obj.competences.all())


class RequirementFields(schemas.Input):
    name: schemas.Required200
    description: schemas.Text2000 = ""
    scope_level: C.ScopeLevelValue = ScopeLevel.FACILITY
    region: schemas.Id | None = None
    municipality: schemas.Id | None = None
    facility: schemas.Id | None = None
    unit: schemas.Id | None = None
    job_groups: list[C.JobGroupValue] = []
    population: C.PopulationValue = Population.ALL_STAFF
    effective_from: schemas.Day | None = None
    competences: list[schemas.Id] = Field(..., min_length=1, max_length=50)
    rule: C.RuleValue = Rule.EVERY_PERSON
    target_percent: schemas.Percent = Decimal("100")
    months: schemas.SmallCount | None = None
    deadline: schemas.Day | None = None
    priority: C.PriorityValue = Priority.MEDIUM
    source_kind: C.SourceKindValue = SourceKind.STRATEGY
    source_reference: schemas.Text300 = ""
    is_active: bool = True


class RequirementUpdate(schemas.Input):
    version: schemas.Version
    name: schemas.Required200 | None = None
    description: schemas.Text2000 | None = None
    job_groups: list[C.JobGroupValue] | None = None
    population: C.PopulationValue | None = None
    effective_from: schemas.Day | None = None
    competences: list[schemas.Id] | None = Field(None, min_length=1, max_length=50)
    rule: C.RuleValue | None = None
    target_percent: schemas.Percent | None = None
    months: schemas.SmallCount | None = None
    deadline: schemas.Day | None = None
    priority: C.PriorityValue | None = None
    source_kind: C.SourceKindValue | None = None
    source_reference: schemas.Text300 | None = None
    is_active: bool | None = None


class CoverageOut(Schema):
    requirement: int
    facility: int
    on: dt.date
    in_scope: int
    compliant: int
    in_scope_fte: Decimal
    compliant_fte: Decimal
    # Under a "within M months of hire" rule: in scope without it, their own deadline not come.
    # They are neither complying nor in breach, and the share is over the others (measured).
    not_yet_due: int
    measured: int
    share: Decimal | None
    target: schemas.PercentOut
    meets_target: bool | None
    status: str


class CoverageParams(Schema):
    facility: schemas.Id | None = None
    requirement: schemas.Id | None = None
    on: schemas.Day | None = None


def _competences(ids: list[int]) -> list[Competence]:
    found = list(Competence.objects.filter(pk__in=ids))
    if len(found) != len(set(ids)):
        known = {c.pk for c in found}
        raise item_errors(
            "competences",
            {i: _("Kompetencen %(id)s findes ikke.") % {"id": pk} for i, pk in enumerate(ids) if pk not in known},
        )
    return found


def _save(requirement: Requirement, competence_ids: list[int] | None) -> Requirement:
    requirement.full_clean(exclude=["competences"])
    requirement.save()
    if competence_ids is not None:
        requirement.competences.set(_competences(competence_ids))
    return requirement


def create_requirement(user: Any, data: dict[str, Any]) -> Requirement:
    competence_ids = data.pop("competences")
    level = data["scope_level"]
    if level in (ScopeLevel.NATIONAL, ScopeLevel.REGION) and not is_administrator(user):
        raise field_error("scope_level", _("Kun en administrator kan oprette nationale og regionale krav."))
    return _save(Requirement(**data), competence_ids)


def update_requirement(user: Any, requirement: Requirement, data: dict[str, Any]) -> Requirement:
    data.pop("version", None)
    competence_ids = data.pop("competences", None)
    for name, value in data.items():
        setattr(requirement, name, value)
    return _save(requirement, competence_ids)


def visible_requirements(user: Any, action: str, qs: QuerySet[Requirement]) -> QuerySet[Requirement]:
    """Own tenant's requirements; for reading also the wider ones that apply to facilities in scope."""
    own = scope(user, qs)
    if action not in (LIST, "retrieve", "export"):
        return own
    applying = requirements_for(scope(user, Facility.objects.all()), active_only=False)
    return qs.filter(Q(pk__in=own.values("pk")) | Q(pk__in=applying.values("pk")))


REQUIREMENTS = Resource(
    name="requirements",
    object_type="requirement",
    model=Requirement,
    out=RequirementOut,
    tag=TAG,
    create_in=RequirementFields,
    update_in=RequirementUpdate,
    delete=True,
    prefetch_related=("competences",),
    versioned_relations=("competences",),
    refs={"region": Region, "municipality": Municipality, "facility": Facility, "unit": Unit},
    creator=create_requirement,
    updater=update_requirement,
    visible_hook=visible_requirements,
    filters={"facility": (int, "facility_id"), "municipality": (int, "municipality_id"), "active": (bool, "is_active")},
)


def build() -> Router:
    router = Router()
    register(router, REQUIREMENTS)

    op_coverage = declare("coverage_list", "coverage", LIST, "coverage")

    @router.get(
        "/coverage",
        response={200: list[CoverageOut], **schemas.ERRORS},
        operation_id=op_coverage,
        url_name=op_coverage,
        summary="Coverage per requirement and facility on a date (counts, no names)",
        description=(
            "Counts only, for the facilities in the caller's scope (an administrator all; a coordinator or "
            "finance officer their municipality's; a facility manager their own) and the requirements that "
            "apply to them; a role without the right to list coverage gets 403."
        ),
        tags=[TAG],
    )
    def coverage(request: HttpRequest, params: Query[CoverageParams]):
        user = request.user
        if not can(user, LIST, "coverage"):
            raise PermissionDenied
        facilities = scoped_for(user, LIST, "coverage", Facility.objects.all())
        if params.facility is not None:
            facilities = facilities.filter(pk=params.facility)
        reqs = requirements_for(facilities)
        if params.requirement is not None:
            reqs = reqs.filter(pk=params.requirement)
        on = params.on or local_today()
        facility_ids = list(facilities.values_list("pk", flat=True))
        rows = coverage_for(reqs, on, Facility.objects.filter(pk__in=facility_ids)) if facility_ids else []
        return Status(
            200,
            [
                {
                    "requirement": r.requirement.pk,
                    "facility": r.facility.pk,
                    "on": r.on,
                    "in_scope": r.in_scope,
                    "compliant": r.compliant,
                    "in_scope_fte": r.in_scope_fte,
                    "compliant_fte": r.compliant_fte,
                    "not_yet_due": r.not_yet_due,
                    "measured": r.measured,
                    "share": r.share,
                    "target": r.target,
                    "meets_target": r.meets_target,
                    "status": r.status,
                }
                for r in rows
                if r.facility.pk in facility_ids
            ],
        )

    return router
