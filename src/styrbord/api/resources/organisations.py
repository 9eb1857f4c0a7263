"""Facilities, their units, their usual minimum staffing and their periods with another minimum.

``/minimum-staffing`` is the facility row seen through the ``staffing`` policy: a facility
manager may set their own facility's weekday and weekend minimums there (as on the page),
without the right to change the facility itself.

A facility's facts (name, kind, operator organisation, places, Tilbudsportalen id, legal bases,
target groups, methods) are checked by the same form as on the facility's page
(``organisations.forms.FacilityForm``): one set of rules, the same Danish messages."""

from decimal import Decimal
from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Model
from django.utils.translation import gettext, gettext_lazy
from ninja import Field, Router
from pydantic import StringConstraints

from styrbord.api import choices as C  # noqa: N812
from styrbord.api import schemas
from styrbord.api.crud import (
    Resource,
    UnprocessableError,
    VersionedOut,
    field_error,
    form_errors,
    from_django_validation,
    generic_create,
    generic_update,
    item_errors,
    register,
)
from styrbord.audit.services import log_action
from styrbord.organisations.forms import FacilityCreateForm, FacilityForm, facility_state
from styrbord.organisations.models import (
    Facility,
    LegalBasis,
    Method,
    Municipality,
    StaffingPeriod,
    TargetGroup,
    Unit,
)
from styrbord.organisations.services import lock_municipality, own_municipality_for_new_facility
from styrbord.training.services.staffing import refresh_staffing_flags_at

TAG = "Tilbud"
WEEKEND_MINIMUM = "Minimumsbemanding lørdag, søndag og på helligdage; null: som på hverdage."
MAX_CODES = 50

# A code of a code list (``CodeListItem.code``, a slug of at most 40 characters).
Code = Annotated[str, StringConstraints(min_length=1, max_length=40, pattern=r"^[-a-zA-Z0-9_]+$")]
# The model field's limit (``Facility.tilbudsportalen_id``), as for every text in ``schemas``.
Text20 = Annotated[str, StringConstraints(max_length=20, pattern=schemas.NO_NUL)]


def _codes(items: Any) -> list[str]:
    """The codes of a prefetched code list, sorted (``.all()`` uses the prefetch, no query)."""
    return sorted(item.code for item in items.all())


class FacilityOut(VersionedOut):
    id: int
    name: str
    kind: str
    municipality: int
    operator_kind: str
    operator_region: int | None
    operator_name: str
    places: int
    tilbudsportalen_id: str
    legal_bases: list[str] = Field(description="Lovgrundlagenes koder, sorteret.")
    target_groups: list[str] = Field(description="Målgruppernes koder, sorteret.")
    methods: list[str] = Field(description="Metodernes koder, sorteret.")
    minimum_staff: int
    minimum_staff_weekend: int | None
    backfill_factor: Decimal

    @staticmethod
    def resolve_municipality(obj: Facility) -> int:
        return obj.municipality_id

    @staticmethod
    def resolve_operator_region(obj: Facility) -> int | None:
        return obj.operator_region_id

    @staticmethod
    def resolve_legal_bases(obj: Facility) -> list[str]:
        return _codes(obj.legal_bases)

    @staticmethod
    def resolve_target_groups(obj: Facility) -> list[str]:
        return _codes(obj.target_groups)

    @staticmethod
    def resolve_methods(obj: Facility) -> list[str]:
        return _codes(obj.methods)


class FacilityUpdate(schemas.Input):
    version: schemas.Version
    name: schemas.Required200 | None = Field(
        None, description="Tilbuddets navn; to tilbud i samme kommune kan ikke hedde det samme."
    )
    kind: C.FacilityKindValue | None = Field(None, description="Tilbudstypen.")
    operator_name: schemas.Text200 | None = Field(
        None, description="Driftsorganisationen, f.eks. Socialpsykiatri og rusmidler; null eller tom: ingen."
    )
    places: schemas.Count | None = Field(None, description="Antal pladser.")
    tilbudsportalen_id: Text20 | None = Field(
        None,
        description="Tilbuddets nummer på Tilbudsportalen (kun cifre, højst ét tilbud pr. nummer); null eller tom: intet.",
    )
    legal_bases: list[Code] | None = Field(
        None,
        max_length=MAX_CODES,
        description=(
            "Lovgrundlagenes koder (f.eks. sel-108; se GET /api/v1/legal-bases); "
            "listen erstatter den gemte; null eller []: ingen."
        ),
    )
    target_groups: list[Code] | None = Field(
        None,
        max_length=MAX_CODES,
        description=(
            "Målgruppernes koder (f.eks. psykiatri; se GET /api/v1/target-groups); "
            "listen erstatter den gemte; null eller []: ingen."
        ),
    )
    methods: list[Code] | None = Field(
        None,
        max_length=MAX_CODES,
        description=(
            "Metodernes koder (f.eks. krap; se GET /api/v1/methods); listen erstatter den gemte; null eller []: ingen."
        ),
    )
    minimum_staff: schemas.StaffCount | None = Field(None, description="Minimumsbemanding på hverdage.")
    minimum_staff_weekend: schemas.StaffCount | None = Field(None, description=WEEKEND_MINIMUM)
    backfill_factor: schemas.Factor | None = Field(
        None, description="Hvor mange timers vikardækning én kursustime kræver (1,00 = én til én)."
    )


class FacilityCreate(schemas.Input):
    """A new facility, as on the page *Nyt tilbud*: a coordinator in their own municipality, an
    administrator in any; run by the municipality or a private operator (a regional one is set
    up by an administrator in the administration)."""

    municipality: schemas.Id | None = Field(
        None, description="Kommunen, tilbuddet hører under; udeladt: brugerens egen (en administrator skal angive den)."
    )
    name: schemas.Required200 = Field(
        description="Tilbuddets navn; to tilbud i samme kommune kan ikke hedde det samme."
    )
    kind: C.FacilityKindValue = Field(Facility.Kind.RESIDENTIAL.value, description="Tilbudstypen.")
    operator_kind: Literal["municipality", "private"] = Field(
        "municipality", description="Driftsherren: kommunen selv eller en privat (selvejende) leverandør."
    )
    operator_name: schemas.Text200 = Field("", description="Driftsorganisationen, f.eks. Socialpsykiatri og rusmidler.")
    places: schemas.Count = Field(0, description="Antal pladser.")
    tilbudsportalen_id: Text20 = Field("", description="Tilbuddets nummer på Tilbudsportalen (kun cifre).")
    legal_bases: list[Code] = Field(
        [], max_length=MAX_CODES, description="Lovgrundlagenes koder (se GET /api/v1/legal-bases)."
    )
    target_groups: list[Code] = Field(
        [], max_length=MAX_CODES, description="Målgruppernes koder (se GET /api/v1/target-groups)."
    )
    methods: list[Code] = Field([], max_length=MAX_CODES, description="Metodernes koder (se GET /api/v1/methods).")


# The facts the page's form checks and saves: its plain fields, and its code lists (by code here).
FORM_FIELDS: tuple[str, ...] = tuple(name for name in FacilityForm.Meta.fields if name != "state")
CODE_LISTS: dict[str, tuple[type[Model], Any]] = {
    "legal_bases": (LegalBasis, gettext_lazy("Ukendt lovgrundlag »%(code)s«.")),
    "target_groups": (TargetGroup, gettext_lazy("Ukendt målgruppe »%(code)s«.")),
    "methods": (Method, gettext_lazy("Ukendt metode »%(code)s«.")),
}
CODE_LIST_FIELDS = tuple(CODE_LISTS)
PLAIN_FORM_FIELDS = tuple(name for name in FORM_FIELDS if name not in CODE_LISTS)


def _form_data(facility: Facility, data: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The form as the page would post it: the stored facts overlaid with the payload's, code
    lists by primary key. Also the errors for codes no list has, each at its item."""
    form_data: dict[str, Any] = {name: data.get(name, getattr(facility, name)) for name in PLAIN_FORM_FIELDS}
    errors: list[dict[str, Any]] = []
    for name, (model, unknown_message) in CODE_LISTS.items():
        if name not in data:
            form_data[name] = list(getattr(facility, name).values_list("pk", flat=True))
            continue
        codes: list[str] = data[name] or []  # null: none, as a page with no box ticked
        known = dict(model._default_manager.filter(code__in=set(codes)).values_list("code", "pk")) if codes else {}
        unknown = {i: str(unknown_message) % {"code": code} for i, code in enumerate(codes) if code not in known}
        if unknown:
            errors.extend(item_errors(name, unknown).errors)
        form_data[name] = [known[code] for code in codes if code in known]
    return form_data, errors


def update_facility(user: Any, facility: Facility, data: dict[str, Any]) -> Facility:
    """Change a facility's facts through the page's ``FacilityForm`` and its minimums and backfill
    factor as fields of the model; all errors at once (422), nothing saved unless all is valid.

    ``crud`` has locked the row and checked the ``version`` sent (no ``changed_since_opened``
    here: the version is the API's check). That version is a digest of the facility's columns
    and its code lists (``versioned_relations``), so a client holding a version read before
    someone changed the legal bases, target groups or methods gets a 409, not a silent
    overwrite. Audited here (``service_audits``), as on the page: the facility's state before
    and after, code lists included, and the fields that changed."""
    data = {name: value for name, value in data.items() if name != "version"}
    before = facility_state(facility)
    form_data, errors = _form_data(facility, data)
    form = FacilityForm(form_data, instance=facility, viewer=user)
    valid = form.is_valid()  # also writes the form's values onto ``facility``
    if not valid:
        errors.extend(form_errors(form))
    for name, value in data.items():
        if name not in FORM_FIELDS:
            setattr(facility, name, value)
    try:
        # As ``generic_update``: the model's own checks (all of them once the form's fields are valid).
        facility.full_clean(exclude=None if valid else list(FORM_FIELDS))
    except DjangoValidationError as exc:
        errors.extend(from_django_validation(exc).errors)
    if errors:
        raise UnprocessableError(errors)
    saved: Facility = form.save()
    if any(name in data for name in MINIMUM_FIELDS):  # the bookings there: under the new minimums or not
        refresh_staffing_flags_at([saved.pk])
    after = facility_state(saved)
    log_action(
        saved,
        "organisations.facility.updated",
        user,
        {"via": "api", "fields": sorted(name for name in after if after[name] != before.get(name))},
        before=before,
        after=after,
    )
    return saved


def create_facility(user: Any, data: dict[str, Any]) -> Facility:
    """Create a facility through the page's ``FacilityCreateForm`` (``municipality`` is already
    resolved inside the user's scope by ``crud``); all errors at once (422), audited as on the page."""
    municipality = own_municipality_for_new_facility(user)  # None: an administrator chooses
    if municipality is None:
        municipality = data["municipality"]
        if municipality is None:
            raise field_error("municipality", gettext("Angiv kommunen, tilbuddet hører under."))
    elif data["municipality"] not in (None, municipality):
        raise field_error("municipality", gettext("Du kan kun oprette tilbud i din egen kommune."))
    lock_municipality(municipality.pk)  # the name check and the insert together (see the page)
    form_data, errors = _form_data(Facility(), {name: value for name, value in data.items() if name != "municipality"})
    form_data["operator_kind"] = data["operator_kind"]
    form = FacilityCreateForm(form_data, viewer=user, municipality=municipality)
    if not form.is_valid():
        errors.extend(form_errors(form))
    if errors:
        raise UnprocessableError(errors)
    saved: Facility = form.save()
    log_action(saved, "organisations.facility.created", user, {"via": "api"}, after=facility_state(saved))
    return saved


class UnitOut(VersionedOut):
    id: int
    facility: int
    name: str
    hr_department_id: str

    @staticmethod
    def resolve_facility(obj: Unit) -> int:
        return obj.facility_id


class UnitCreate(schemas.Input):
    facility: schemas.Id
    name: schemas.Required200
    hr_department_id: schemas.Text40 = ""


class UnitUpdate(schemas.Input):
    version: schemas.Version
    name: schemas.Required200 | None = None
    hr_department_id: schemas.Text40 | None = None


FACILITIES = Resource(
    name="facilities",
    singular="facility",
    object_type="facility",
    model=Facility,
    out=FacilityOut,
    tag=TAG,
    create_in=FacilityCreate,
    update_in=FacilityUpdate,
    prefetch_related=CODE_LIST_FIELDS,
    versioned_relations=CODE_LIST_FIELDS,
    refs={"municipality": Municipality},
    creator=create_facility,
    updater=update_facility,
    form_checks_nulls=True,
    service_audits=frozenset({"create", "update"}),
    filters={"municipality": (int, "municipality_id")},
)

UNITS = Resource(
    name="units",
    object_type="facility",
    model=Unit,
    out=UnitOut,
    tag=TAG,
    create_in=UnitCreate,
    update_in=UnitUpdate,
    delete=True,
    refs={"facility": Facility},
    filters={"facility": (int, "facility_id")},
)


class StaffingPeriodOut(VersionedOut):
    id: int
    facility: int
    start_date: schemas.Day
    end_date: schemas.Day
    minimum: int
    reason: str

    @staticmethod
    def resolve_facility(obj: StaffingPeriod) -> int:
        return obj.facility_id


class StaffingPeriodCreate(schemas.Input):
    facility: schemas.Id
    start_date: schemas.Day
    end_date: schemas.Day
    minimum: schemas.StaffCount
    reason: schemas.Text200 = ""


class StaffingPeriodUpdate(schemas.Input):
    version: schemas.Version
    start_date: schemas.Day | None = None
    end_date: schemas.Day | None = None
    minimum: schemas.StaffCount | None = None
    reason: schemas.Text200 | None = None


MINIMUM_FIELDS = ("minimum_staff", "minimum_staff_weekend")


def create_staffing_period(user: Any, data: dict[str, Any]) -> StaffingPeriod:
    period: StaffingPeriod = generic_create(user, STAFFING_PERIODS, data)  # type: ignore[assignment]
    refresh_staffing_flags_at([period.facility_id], period.start_date, period.end_date)
    return period


def update_staffing_period(user: Any, period: StaffingPeriod, data: dict[str, Any]) -> StaffingPeriod:
    before = (period.start_date, period.end_date)
    saved: StaffingPeriod = generic_update(user, STAFFING_PERIODS, period, data)  # type: ignore[assignment]
    refresh_staffing_flags_at([saved.facility_id], min(before[0], saved.start_date), max(before[1], saved.end_date))
    return saved


def delete_staffing_period(user: Any, period: StaffingPeriod) -> None:
    period.delete()
    refresh_staffing_flags_at([period.facility_id], period.start_date, period.end_date)


def update_minimum_staffing(user: Any, facility: Facility, data: dict[str, Any]) -> Facility:
    saved: Facility = generic_update(user, MINIMUM_STAFFING, facility, data)  # type: ignore[assignment]
    refresh_staffing_flags_at([saved.pk])  # the bookings there: under the new minimums or not
    return saved


STAFFING_PERIODS = Resource(
    name="staffing-periods",
    singular="staffing_period",
    object_type="staffing",
    model=StaffingPeriod,
    out=StaffingPeriodOut,
    tag=TAG,
    create_in=StaffingPeriodCreate,
    update_in=StaffingPeriodUpdate,
    delete=True,
    refs={"facility": Facility},
    creator=create_staffing_period,
    updater=update_staffing_period,
    deleter=delete_staffing_period,
    filters={"facility": (int, "facility_id")},
)


class MinimumStaffingOut(VersionedOut):
    id: int = Field(description="Tilbuddets id.")
    name: str
    minimum_staff: int = Field(description="Minimumsbemanding på hverdage.")
    minimum_staff_weekend: int | None = Field(description=WEEKEND_MINIMUM)


class MinimumStaffingUpdate(schemas.Input):
    version: schemas.Version
    minimum_staff: schemas.Count | None = None
    minimum_staff_weekend: schemas.StaffCount | None = Field(None, description=WEEKEND_MINIMUM)


MINIMUM_STAFFING = Resource(
    name="minimum-staffing",
    singular="minimum_staffing",
    object_type="staffing",
    model=Facility,
    out=MinimumStaffingOut,
    tag=TAG,
    update_in=MinimumStaffingUpdate,
    updater=update_minimum_staffing,
    filters={"municipality": (int, "municipality_id")},
)


def build() -> Router:
    router = Router()
    register(router, FACILITIES)
    register(router, UNITS)
    register(router, MINIMUM_STAFFING)
    register(router, STAFFING_PERIODS)
    return router
