"""Employees (people) and their employments. Reads of these are logged as access to personal data."""

import datetime as dt
import json
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from pydantic import field_validator
from pydantic_core import PydanticCustomError

from styrbord.accounts import privacy
from styrbord.accounts.permissions import DELETE, EXPORT, LIST, RETRIEVE, can, is_administrator, scope, scoped_for
from styrbord.api import choices as C  # noqa: N812
from styrbord.api import schemas
from styrbord.api.crud import (
    ConflictError,
    Resource,
    VersionedOut,
    field_error,
    generic_update,
    nested_at,
    register,
)
from styrbord.api.registry import declare
from styrbord.audit.models import AuditEntry
from styrbord.audit.services import log_access
from styrbord.lib.cpr import NAME_WITH_CPR, contains_cpr
from styrbord.organisations.models import Facility, Municipality, Unit
from styrbord.staff.models import Employee, Employment, JobCode
from styrbord.training.services.staffing import refresh_staffing_flags_at

TAG = "Medarbejdere"


class EmployeeOut(VersionedOut):
    id: int
    municipality: int
    person_key: str
    name: str
    email: str
    birth_year: int | None
    education: str
    education_relevant: bool
    anonymised_at: dt.datetime | None

    @staticmethod
    def resolve_municipality(obj: Employee) -> int:
        return obj.municipality_id


class EmploymentFields(schemas.Input):
    facility: schemas.Id
    unit: schemas.Id | None = None
    job_code: schemas.Id | None = None
    employment_number: schemas.Required40
    job_group: C.JobGroupValue
    kind: C.EmploymentKind = Employment.Kind.PERMANENT
    title: schemas.Text200 = ""
    weekly_hours: schemas.Hours = Decimal("37")
    is_contact_person: bool = False
    is_primary: bool = True
    start_date: schemas.Day
    end_date: schemas.Day | None = None
    status: C.EmploymentStatus = Employment.Status.ACTIVE
    hourly_wage: schemas.Money = Decimal("0.00")


class EmployeeCreate(schemas.Input):
    # The municipality the person belongs to (employer and data controller; the person key is
    # unique within it). Left out: the municipality of ``employment``'s facility, else the
    # caller's own municipality (when the caller's scope has only one).
    municipality: schemas.Id | None = None
    person_key: schemas.Required64
    name: schemas.Required200
    email: schemas.Email = ""
    birth_year: schemas.BirthYear | None = None
    education: schemas.Text200 = ""
    education_relevant: bool = False
    employment: EmploymentFields | None = None

    @field_validator("person_key")
    @classmethod
    def not_a_cpr_number(cls, value: str) -> str:
        if contains_cpr(value):
            # A custom error: pydantic would put "Value error, " before a ValueError's message.
            raise PydanticCustomError("cpr", str(_("Personnøglen må ikke være et CPR-nummer.")))
        return value

    @field_validator("name")
    @classmethod
    def no_cpr_number_in_the_name(cls, value: str) -> str:
        return _no_cpr_in_name(value) or value


def _no_cpr_in_name(value: str | None) -> str | None:
    if contains_cpr(value):
        raise PydanticCustomError("cpr", str(NAME_WITH_CPR))
    return value


class EmployeeUpdate(schemas.Input):
    version: schemas.Version
    name: schemas.Required200 | None = None

    @field_validator("name")
    @classmethod
    def no_cpr_number_in_the_name(cls, value: str | None) -> str | None:
        return _no_cpr_in_name(value)

    email: schemas.Email | None = None
    birth_year: schemas.BirthYear | None = None
    education: schemas.Text200 | None = None
    education_relevant: bool | None = None


class EmploymentOut(VersionedOut):
    id: int
    employee: int
    facility: int
    unit: int | None
    job_code: int | None
    employment_number: str
    job_group: str
    kind: str
    title: str
    weekly_hours: Decimal
    fte: Decimal
    is_contact_person: bool
    is_primary: bool
    start_date: dt.date
    end_date: dt.date | None
    status: str
    hourly_wage: Decimal

    @staticmethod
    def resolve_employee(obj: Employment) -> int:
        return obj.employee_id

    @staticmethod
    def resolve_facility(obj: Employment) -> int:
        return obj.facility_id

    @staticmethod
    def resolve_unit(obj: Employment) -> int | None:
        return obj.unit_id

    @staticmethod
    def resolve_job_code(obj: Employment) -> int | None:
        return obj.job_code_id


class EmploymentCreate(EmploymentFields):
    employee: schemas.Id


class EmploymentUpdate(schemas.Input):
    version: schemas.Version
    facility: schemas.Id | None = None
    unit: schemas.Id | None = None
    job_code: schemas.Id | None = None
    job_group: C.JobGroupValue | None = None
    kind: C.EmploymentKind | None = None
    title: schemas.Text200 | None = None
    weekly_hours: schemas.Hours | None = None
    is_contact_person: bool | None = None
    is_primary: bool | None = None
    start_date: schemas.Day | None = None
    end_date: schemas.Day | None = None
    status: C.EmploymentStatus | None = None
    hourly_wage: schemas.Money | None = None


EMPLOYMENT_REFS: dict[str, Any] = {"facility": Facility, "unit": Unit, "job_code": JobCode}


def _new_employment(user: Any, fields: dict[str, Any]) -> Employment:
    """The employment of a new person, its references resolved (not saved, no employee yet)."""
    from styrbord.api.crud import resolve_refs

    with nested_at("employment"):  # its errors point into the payload's "employment" object
        data = resolve_refs(user, EMPLOYMENTS, fields)
        return Employment(**data)


def _caller_municipalities(user: Any) -> set[int] | None:
    """The municipalities a caller may place a person in: those of the facilities in their scope
    (and their own); None for an administrator (any)."""
    if is_administrator(user):
        return None
    found = set(scope(user, Facility.objects.order_by()).values_list("municipality_id", flat=True).distinct())
    if getattr(user, "municipality_id", None) is not None:
        found.add(user.municipality_id)
    return found


def _owner(user: Any, municipality_id: int | None, employment: Employment | None) -> Municipality:
    allowed = _caller_municipalities(user)
    if municipality_id is not None:
        found = Municipality.objects.filter(pk=municipality_id).first()
        if found is None or (allowed is not None and found.pk not in allowed):
            raise field_error("municipality", _("Kommunen findes ikke eller er uden for dit omfang."))
        if employment is not None and employment.facility.municipality_id != found.pk:
            raise field_error(
                "municipality", _("Ansættelsens tilbud ligger i en anden kommune end den, medarbejderen skal høre til.")
            )
        return found
    if employment is not None:
        return employment.facility.municipality
    if allowed is not None and len(allowed) == 1:
        return Municipality.objects.get(pk=next(iter(allowed)))
    raise field_error("municipality", _("Angiv kommunen, som medarbejderen hører til."))


def create_employee(user: Any, data: dict[str, Any]) -> Employee:
    """A person of one municipality (``_owner``), with their first employment at one of its facilities.
    The person key need only be unique within that municipality, and the check looks nowhere else."""
    fields = data.pop("employment", None)
    employment = _new_employment(user, fields) if fields is not None else None
    municipality = _owner(user, data.pop("municipality", None), employment)
    employee = Employee(municipality=municipality, **data)
    employee.full_clean()
    employee.save()
    if employment is not None:
        employment.employee = employee
        with nested_at("employment"):
            employment.full_clean()
        employment.save()
        _staffing_changed(_staffing_facts(employment))
    return employee


def delete_employee(user: Any, employee: Employee) -> None:
    """Delete a person and their employments; refused (409) if bookings or the ledger refer to them."""
    with transaction.atomic():
        facilities = set(employee.employments.values_list("facility_id", flat=True))
        employee.employments.all().delete()
        employee.delete()
        refresh_staffing_flags_at(facilities)


def check_employment_dates(user: Any, data: dict[str, Any]) -> Employment:
    end, start = data.get("end_date"), data.get("start_date")
    if end is not None and start is not None and end < start:
        raise field_error("end_date", _("Slutdatoen ligger før startdatoen."))
    employment = Employment(**data)
    employment.full_clean()
    employment.save()
    _staffing_changed(_staffing_facts(employment))
    return employment


def update_employment(user: Any, employment: Employment, data: dict[str, Any]) -> Employment:
    """Change an employment, but not its facility once it has course bookings: those (and their
    costs and grant postings) belong to the facility the person was at, and a move through PATCH
    took them along. A move is a new employment; this one ends."""
    data = {k: v for k, v in data.items() if k != "version"}
    facility = data.get("facility")
    if facility is not None and facility.pk != employment.facility_id and employment.bookings.exists():
        raise field_error(
            "facility",
            _(
                "Ansættelsen har kursusbookinger på sit tilbud, så tilbuddet kan ikke skiftes. Afslut "
                "ansættelsen, og opret en ny på det nye tilbud, så historikken bliver, hvor den hører til."
            ),
        )
    before = _staffing_facts(employment)
    saved: Employment = generic_update(user, EMPLOYMENTS, employment, data)  # type: ignore[assignment]
    if _staffing_facts(saved) != before:
        _staffing_changed(before, _staffing_facts(saved))
    return saved


def delete_employment(user: Any, employment: Employment) -> None:
    """Delete an employment (refused, 409, when bookings refer to it): one less at work at its
    facility, so the staffing flags there follow."""
    facts = _staffing_facts(employment)
    employment.delete()
    _staffing_changed(facts)


StaffingFacts = tuple[int, dt.date, dt.date | None, str]


def _staffing_facts(employment: Employment) -> StaffingFacts:
    """What of an employment decides who is at work at a facility on a day (``staffing_by_facility``)."""
    return employment.facility_id, employment.start_date, employment.end_date, employment.status


def _staffing_changed(*facts: StaffingFacts) -> None:
    """The staffing flags of the bookings at the employment's facility (and the one it left), on
    the days it covers (and covered), follow the change, in the write's transaction."""
    ends = [end for _facility, _start, end, _status in facts]
    refresh_staffing_flags_at(
        {facility for facility, *_rest in facts},
        min(start for _facility, start, _end, _status in facts),
        None if None in ends else max(end for end in ends if end is not None),
    )


def _employed_at(user: Any, facility: int) -> Q:
    """People with an employment at the facility that the user may see: a manager filtering by
    another house learns nothing of their own staff's employments there (the profile only says
    "an employment outside your area")."""
    seen = scoped_for(user, LIST, "employment", Employment.objects.filter(facility_id=facility))
    return Q(pk__in=seen.values("employee_id"))


EMPLOYEES = Resource(
    name="employees",
    object_type="employee",
    model=Employee,
    out=EmployeeOut,
    tag=TAG,
    create_in=EmployeeCreate,
    update_in=EmployeeUpdate,
    delete=True,
    creator=create_employee,
    deleter=delete_employee,
    # ``person_key``: an HR sync finds its person without pulling every row (an exact key).
    filters={
        "facility": (int, lambda user, facility: _employed_at(user, facility)),
        "person_key": (schemas.Text200, "person_key"),
    },
    subject=lambda e: e.pk,
)

EMPLOYMENTS = Resource(
    name="employments",
    object_type="employment",
    model=Employment,
    out=EmploymentOut,
    tag=TAG,
    create_in=EmploymentCreate,
    update_in=EmploymentUpdate,
    delete=True,
    refs={"employee": Employee, **EMPLOYMENT_REFS},
    creator=check_employment_dates,
    updater=update_employment,
    deleter=delete_employment,
    filters={
        "facility": (int, "facility_id"),
        "employee": (int, "employee_id"),
        "employment_number": (schemas.Text200, "employment_number"),
    },
    subject=lambda e: e.employee_id,
)


class PersonalDataOut(Schema):
    format: str
    version: int
    employee_id: int
    exported_at: dt.datetime
    sections: dict[str, list[dict[str, Any]]]


class AnonymiseIn(schemas.Input):
    version: schemas.Version
    reason: schemas.Required200


def build() -> Router:
    router = Router()
    register(router, EMPLOYEES)
    register(router, EMPLOYMENTS)

    op_data = declare("employee_personal_data", "employee", EXPORT, "employees")

    @router.get(
        "/employees/{pk}/personal-data",
        response={200: PersonalDataOut, **schemas.ERRORS},
        operation_id=op_data,
        url_name=op_data,
        summary="Everything held about one person (right of access), as JSON",
        tags=[TAG],
    )
    def personal_data(request: HttpRequest, pk: schemas.Id):
        employee = EMPLOYEES.visible(request.user, EXPORT).filter(pk=pk).first()
        if employee is None or not privacy.may_take_out_everything(request.user, employee):
            # A person the caller may read but not take out is refused as such (403); one they
            # may not see at all is missing (404), as everywhere.
            if EMPLOYEES.visible(request.user, RETRIEVE).filter(pk=pk).exists():
                raise PermissionDenied
            raise Http404
        log_access(request.user, "api.staff.employee.data_exported", [employee.pk], kind=AuditEntry.Kind.EXPORT)
        encoded = json.loads(json.dumps(privacy.employee_data(employee), cls=DjangoJSONEncoder))
        return Status(200, encoded)

    op_anonymise = declare("employee_anonymise", "personal_data", DELETE, "employees")

    @router.post(
        "/employees/{pk}/anonymise",
        response={200: EmployeeOut, **schemas.WRITE_ERRORS},
        operation_id=op_anonymise,
        url_name=op_anonymise,
        summary="Anonymise a person; employments, bookings and ledger rows are kept",
        tags=[TAG],
    )
    def anonymise(request: HttpRequest, pk: schemas.Id, payload: AnonymiseIn):
        user = request.user
        if not can(user, DELETE, "personal_data"):
            if EMPLOYEES.visible(user, RETRIEVE).filter(pk=pk).exists():
                raise PermissionDenied
            raise Http404
        employee = EMPLOYEES.in_scope(user).filter(pk=pk).first()
        if employee is None:
            raise Http404
        with transaction.atomic():
            locked = Employee.objects.select_for_update().get(pk=employee.pk)
            if locked.version != payload.version:
                raise ConflictError(_("Data er ændret siden du læste dem. Hent dem igen."), locked.version)
            try:
                employee = privacy.anonymise_employee(locked, user, payload.reason)
            except privacy.PrivacyError as exc:
                raise field_error("__all__", exc.message, "privacy_error") from None
        return Status(200, employee)

    return router
