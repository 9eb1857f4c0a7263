"""Demo facilities from the seed documents: Norddjurs, Holbæk's social area, a regional unit.

- 000: Dolmer Have and Bofællesskaberne Glesborg (Socialpsykiatri og rusmidler, Norddjurs).
- 003: Skovstjernen, singled out by Socialtilsyn Midt; recovery, KRAP, Housing First, autism.
- 001: Holbæk Kommune's social area (recovery-oriented rehabilitation and Housing First).
- 002: a Region Hovedstaden psychiatric unit (security assistants, prevention instructors).

Names other than those in the seeds are invented; Tilbudsportalen ids are made up.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from styrbord.demo.context import DemoContext
from styrbord.organisations.models import (
    Facility,
    Grantor,
    LegalBasis,
    Method,
    Municipality,
    Region,
    StaffingPeriod,
    TargetGroup,
    Unit,
)

GRANTOR_NAME = "Social- og Boligstyrelsen"
NORDDJURS_OPERATOR = "Socialpsykiatri og rusmidler"


@dataclass(frozen=True)
class FacilitySpec:
    """One demo facility. ``staff`` is the planned headcount used by the staff step."""

    name: str
    municipality: str
    kind: str
    operator_name: str
    legal_bases: tuple[str, ...]
    target_groups: tuple[str, ...]
    methods: tuple[str, ...]
    places: int
    minimum_staff: int
    units: tuple[str, ...]
    staff: int
    tilbudsportalen_id: str = ""
    operator_kind: str = Facility.OperatorKind.MUNICIPALITY
    operator_region: str | None = None
    backfill_factor: Decimal = Decimal("1.00")
    minimum_staff_weekend: int | None = None  # None: as on weekdays


K = Facility.Kind
FACILITIES: list[FacilitySpec] = [
    FacilitySpec(
        "Dolmer Have",
        "0707",
        K.RESIDENTIAL,
        NORDDJURS_OPERATOR,
        ("sel-108", "sel-107"),
        ("psykiatri", "dobbeltdiagnose", "udadreagerende"),
        ("recovery", "krap", "low-arousal"),
        places=24,
        minimum_staff=6,
        units=("Hus A", "Hus B", "Nattevagten"),
        staff=44,
        tilbudsportalen_id="43871",
        minimum_staff_weekend=5,
    ),
    FacilitySpec(
        "Bofællesskaberne Glesborg",
        "0707",
        K.SHARED_LIVING,
        NORDDJURS_OPERATOR,
        ("sel-108", "sel-107"),
        ("psykiatri", "rusmidler"),
        ("recovery", "krap"),
        places=12,
        minimum_staff=3,
        units=("Bofællesskabet Stationsvej", "Bofællesskabet Bakken"),
        staff=21,
        tilbudsportalen_id="43902",
    ),
    FacilitySpec(
        "Skovstjernen",
        "0707",
        K.RESIDENTIAL,
        "Socialområdet, Handicap",
        ("sel-108",),
        ("autisme", "udviklingshaemning", "udadreagerende"),
        ("krap", "low-arousal"),
        places=16,
        minimum_staff=5,
        units=("Skovhuset", "Stjernehuset"),
        staff=34,
        tilbudsportalen_id="44210",
        backfill_factor=Decimal("1.10"),
    ),
    FacilitySpec(
        "Kattegatgården",
        "0707",
        K.RESIDENTIAL,
        NORDDJURS_OPERATOR,
        ("sel-107",),
        ("dobbeltdiagnose", "rusmidler", "hjemloeshed"),
        ("recovery", "housing-first"),
        places=10,
        minimum_staff=3,
        units=("Kattegatgården",),
        staff=16,
        tilbudsportalen_id="44377",
    ),
    FacilitySpec(
        "Bostøtten Grenaa",
        "0707",
        K.SUPPORT,
        NORDDJURS_OPERATOR,
        ("sel-85-abl-105", "sel-85"),
        ("psykiatri", "hjemloeshed"),
        ("housing-first", "recovery"),
        places=40,
        minimum_staff=2,
        units=("Bostøtteteamet",),
        staff=11,
        tilbudsportalen_id="44512",
    ),
    FacilitySpec(
        "Elmegården",
        "0316",
        K.RESIDENTIAL,
        "Socialområdet, Voksenafdelingen",
        ("sel-108",),
        ("psykiatri", "dobbeltdiagnose"),
        ("recovery", "mentalisering"),
        places=20,
        minimum_staff=5,
        units=("Elmen", "Egen"),
        staff=30,
        tilbudsportalen_id="38115",
    ),
    FacilitySpec(
        "Kirsebærhaven",
        "0316",
        K.SHARED_LIVING,
        "Socialområdet, Voksenafdelingen",
        ("sel-85-abl-105",),
        ("psykiatri", "autisme"),
        ("recovery", "low-arousal"),
        places=14,
        minimum_staff=3,
        units=("Kirsebærhaven",),
        staff=19,
        tilbudsportalen_id="38240",
    ),
    FacilitySpec(
        "Housing First-teamet Holbæk",
        "0316",
        K.SUPPORT,
        "Socialområdet, Voksenafdelingen",
        ("sel-85",),
        ("hjemloeshed", "rusmidler", "psykiatri"),
        ("housing-first", "recovery"),
        places=35,
        minimum_staff=2,
        units=("Housing First-teamet",),
        staff=10,
        tilbudsportalen_id="38391",
    ),
    FacilitySpec(
        "Bofællesskabet Tuse",
        "0316",
        K.SHARED_LIVING,
        "Socialområdet, Voksenafdelingen",
        ("sel-108", "sel-85-abl-105"),
        ("udviklingshaemning", "autisme"),
        ("krap", "low-arousal"),
        places=12,
        minimum_staff=3,
        units=("Tuse",),
        staff=17,
        tilbudsportalen_id="38406",
    ),
    FacilitySpec(
        "Psykiatrisk Center København, afsnit 6",
        "0101",
        K.HOSPITAL_UNIT,
        "Region Hovedstadens Psykiatri",
        ("sundhedsloven",),
        ("psykiatri", "dobbeltdiagnose", "udadreagerende"),
        ("safewards", "low-arousal", "recovery"),
        places=18,
        minimum_staff=7,
        units=("Afsnit 6 – dag", "Afsnit 6 – nat"),
        staff=46,
        operator_kind=Facility.OperatorKind.REGION,
        operator_region="1084",
        backfill_factor=Decimal("1.20"),
    ),
]


def build(ctx: DemoContext) -> None:
    """Create the grantor, the demo facilities with their units and code lists."""
    grantor, _ = Grantor.objects.get_or_create(name=GRANTOR_NAME, defaults={"cvr": "36043954"})
    ctx.extra["grantor"] = grantor
    ctx.extra["facility_specs"] = {spec.name: spec for spec in FACILITIES}
    codes = {spec.municipality for spec in FACILITIES}
    municipalities = {m.code: m for m in Municipality.objects.filter(code__in=codes)}
    ctx.municipalities.update(municipalities)
    legal = {x.code: x for x in LegalBasis.objects.all()}
    groups = {x.code: x for x in TargetGroup.objects.all()}
    methods = {x.code: x for x in Method.objects.all()}
    regions = {r.code: r for r in Region.objects.all()}
    units: dict[str, list[Unit]] = {}
    for spec in FACILITIES:
        facility = Facility.objects.create(
            name=spec.name,
            kind=spec.kind,
            municipality=municipalities[spec.municipality],
            operator_kind=spec.operator_kind,
            operator_region=regions[spec.operator_region] if spec.operator_region else None,
            operator_name=spec.operator_name,
            places=spec.places,
            tilbudsportalen_id=spec.tilbudsportalen_id,
            minimum_staff=spec.minimum_staff,
            minimum_staff_weekend=spec.minimum_staff_weekend,
            backfill_factor=spec.backfill_factor,
        )
        facility.legal_bases.set([legal[c] for c in spec.legal_bases])
        facility.target_groups.set([groups[c] for c in spec.target_groups])
        facility.methods.set([methods[c] for c in spec.methods])
        prefix = f"{spec.municipality}-{spec.tilbudsportalen_id or 'R' + spec.municipality}"
        units[spec.name] = [
            Unit.objects.create(facility=facility, name=name, hr_department_id=f"{prefix}-{i + 1:02d}")
            for i, name in enumerate(spec.units)
        ]
        ctx.facilities[spec.name] = facility
    ctx.extra["units"] = units
    # A stricter minimum for a while: a new resident moves in with 1:1 support for six weeks.
    move_in = ctx.today + dt.timedelta(days=21)
    StaffingPeriod.objects.create(
        facility=ctx.facilities["Dolmer Have"],
        start_date=move_in,
        end_date=move_in + dt.timedelta(days=41),
        minimum=7,
        reason="Ny beboer med 1:1-støtte",
    )
    ctx.note(
        f"Tilbud: {len(FACILITIES)} i {len(municipalities)} kommuner "
        f"(Norddjurs, Holbæk, København), tilskudsgiver {GRANTOR_NAME}"
    )
