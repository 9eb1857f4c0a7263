"""The competence catalogue (shared by all tenants) and the competences people hold."""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from ninja import Router

from styrbord.api import choices as C  # noqa: N812
from styrbord.api import schemas
from styrbord.api.crud import Resource, UnprocessableError, VersionedOut, field_error, form_errors, register
from styrbord.competences.forms import CompetenceForm
from styrbord.competences.models import Competence, CompetenceHolding
from styrbord.competences.services import default_expiry, ensure_not_registered
from styrbord.staff.models import Employee

TAG = "Kompetencer"


class CompetenceOut(VersionedOut):
    id: int
    code: str
    name: str
    category: str
    description: str
    validity_months: int | None
    refresher_rule: str


class CompetenceCreate(schemas.Input):
    code: schemas.Slug
    name: schemas.Required200
    category: C.CompetenceCategory
    description: schemas.Text2000 = ""
    validity_months: schemas.SmallCount | None = None
    refresher_rule: schemas.Text200 = ""


class CompetenceUpdate(schemas.Input):
    version: schemas.Version
    name: schemas.Required200 | None = None
    category: C.CompetenceCategory | None = None
    description: schemas.Text2000 | None = None
    validity_months: schemas.SmallCount | None = None
    refresher_rule: schemas.Text200 | None = None


class HoldingOut(VersionedOut):
    id: int
    employee: int
    competence: int
    acquired_on: dt.date
    expires_on: dt.date | None
    source: str
    evidence: str

    @staticmethod
    def resolve_employee(obj: CompetenceHolding) -> int:
        return obj.employee_id

    @staticmethod
    def resolve_competence(obj: CompetenceHolding) -> int:
        return obj.competence_id


class HoldingCreate(schemas.Input):
    employee: schemas.Id
    competence: schemas.Id
    acquired_on: schemas.Day
    expires_on: schemas.Day | None = None
    source: C.HoldingSource = CompetenceHolding.Source.MANUAL
    evidence: schemas.Text300 = ""


class HoldingUpdate(schemas.Input):
    version: schemas.Version
    acquired_on: schemas.Day | None = None
    expires_on: schemas.Day | None = None
    source: C.HoldingSource | None = None
    evidence: schemas.Text300 | None = None


def create_holding(user: Any, data: dict[str, Any]) -> CompetenceHolding:
    """A holding; without an expiry date it gets the competence's validity from acquisition."""
    if data.get("expires_on") is None:
        try:
            data["expires_on"] = default_expiry(data["competence"], data["acquired_on"])
        except ValidationError as error:
            raise field_error("acquired_on", error.message_dict["acquired_on"][0]) from None
    holding = CompetenceHolding(**data)
    holding.full_clean()
    ensure_not_registered(data["employee"], data["competence"], data["acquired_on"])  # in the view's transaction
    holding.save()
    return holding


COMPETENCE_FIELDS = ("code", "name", "category", "description", "validity_months", "refresher_rule")


def _saved_through_form(competence: Competence, data: dict[str, Any]) -> Competence:
    """The catalogue page's form checks and saves: its code rule (once given, never changed), the
    names the certificate import could not tell apart, validity 1-600 months or none."""
    current = {name: getattr(competence, name) for name in COMPETENCE_FIELDS} if competence.pk else {}
    merged = {**current, **{k: v for k, v in data.items() if k in COMPETENCE_FIELDS}}
    form = CompetenceForm({k: "" if v is None else v for k, v in merged.items()}, instance=competence)
    if not form.is_valid():
        raise UnprocessableError(form_errors(form))
    return form.save()


def create_competence(user: Any, data: dict[str, Any]) -> Competence:
    return _saved_through_form(Competence(), data)


def update_competence(user: Any, competence: Competence, data: dict[str, Any]) -> Competence:
    return _saved_through_form(competence, data)


COMPETENCES = Resource(
    name="competences",
    object_type="competence",
    model=Competence,
    out=CompetenceOut,
    tag=TAG,
    create_in=CompetenceCreate,
    update_in=CompetenceUpdate,
    delete=True,
    tenant_scoped=False,
    creator=create_competence,
    updater=update_competence,
    form_checks_nulls=True,
    filters={"category": (C.CompetenceCategory, "category")},
)

HOLDINGS = Resource(
    name="holdings",
    object_type="competence_holding",
    model=CompetenceHolding,
    out=HoldingOut,
    tag=TAG,
    create_in=HoldingCreate,
    update_in=HoldingUpdate,
    delete=True,
    refs={"employee": Employee, "competence": Competence},
    creator=create_holding,
    filters={
        "employee": (int, "employee_id"),
        "competence": (int, "competence_id"),
        "facility": (int, "employee__employments__facility_id"),
    },
    subject=lambda h: h.employee_id,
)


def build() -> Router:
    router = Router()
    register(router, COMPETENCES)
    register(router, HOLDINGS)
    return router
