"""Facilities, their units, their usual minimum staffing and their periods with another minimum.

``/minimum-staffing`` is the facility row seen through the ``staffing`` policy: a facility
manager may set their own facility's weekday and weekend minimums there (as on the page),
without the right to change the facility itself."""

from decimal import Decimal

from ninja import Field, Router

from styrbord.api import schemas
from styrbord.api.crud import Resource, VersionedOut, register
from styrbord.organisations.models import Facility, StaffingPeriod, Unit

TAG = "Tilbud"
WEEKEND_MINIMUM = "Minimumsbemanding lørdag, søndag og på helligdage; null: som på hverdage."


class FacilityOut(VersionedOut):
    id: int
    name: str
    kind: str
    municipality: int
    operator_kind: str
    operator_region: int | None
    operator_name: str
    places: int
    minimum_staff: int
    minimum_staff_weekend: int | None
    backfill_factor: Decimal

    @staticmethod
    def resolve_municipality(obj: Facility) -> int:
        return obj.municipality_id

    @staticmethod
    def resolve_operator_region(obj: Facility) -> int | None:
        return obj.operator_region_id


class FacilityUpdate(schemas.Input):
    version: schemas.Version
    name: schemas.Required200 | None = None
    places: schemas.Count | None = None
    minimum_staff: schemas.Count | None = None
    minimum_staff_weekend: schemas.Count | None = Field(None, description=WEEKEND_MINIMUM)
    backfill_factor: schemas.Factor | None = None


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
    update_in=FacilityUpdate,
    filters={"municipality": (int, "municipality_id")},
    export_columns=[
        ("id", lambda f: f.pk),
        ("navn", lambda f: f.name),
        ("kommune", lambda f: f.municipality_id),
        ("pladser", lambda f: f.places),
        ("minimumsbemanding", lambda f: f.minimum_staff),
        ("minimumsbemanding weekend", lambda f: f.minimum_staff_weekend),
    ],
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
    export_columns=[
        ("id", lambda u: u.pk),
        ("tilbud", lambda u: u.facility_id),
        ("navn", lambda u: u.name),
        ("afdelings-id", lambda u: u.hr_department_id),
    ],
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
    minimum: schemas.Count
    reason: schemas.Text200 = ""


class StaffingPeriodUpdate(schemas.Input):
    version: schemas.Version
    start_date: schemas.Day | None = None
    end_date: schemas.Day | None = None
    minimum: schemas.Count | None = None
    reason: schemas.Text200 | None = None


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
    filters={"facility": (int, "facility_id")},
    export_columns=[
        ("id", lambda p: p.pk),
        ("tilbud", lambda p: p.facility_id),
        ("fra", lambda p: p.start_date.isoformat()),
        ("til og med", lambda p: p.end_date.isoformat()),
        ("minimumsbemanding", lambda p: p.minimum),
        ("begrundelse", lambda p: p.reason),
    ],
)


class MinimumStaffingOut(VersionedOut):
    id: int = Field(description="Tilbuddets id.")
    name: str
    minimum_staff: int = Field(description="Minimumsbemanding på hverdage.")
    minimum_staff_weekend: int | None = Field(description=WEEKEND_MINIMUM)


class MinimumStaffingUpdate(schemas.Input):
    version: schemas.Version
    minimum_staff: schemas.Count | None = None
    minimum_staff_weekend: schemas.Count | None = Field(None, description=WEEKEND_MINIMUM)


MINIMUM_STAFFING = Resource(
    name="minimum-staffing",
    singular="minimum_staffing",
    object_type="staffing",
    model=Facility,
    out=MinimumStaffingOut,
    tag=TAG,
    update_in=MinimumStaffingUpdate,
    filters={"municipality": (int, "municipality_id")},
    export_columns=[
        ("tilbud", lambda f: f.pk),
        ("navn", lambda f: f.name),
        ("hverdage", lambda f: f.minimum_staff),
        ("weekender og helligdage", lambda f: f.minimum_staff_weekend),
    ],
)


def build() -> Router:
    router = Router()
    register(router, FACILITIES)
    register(router, UNITS)
    register(router, MINIMUM_STAFFING)
    register(router, STAFFING_PERIODS)
    return router
