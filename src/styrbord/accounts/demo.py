"""Demo logins: one per role, all with the shared demo password printed by `styrbord demo`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.hashers import make_password

from styrbord.accounts.models import Role, User
from styrbord.demo.context import DemoContext
from styrbord.organisations.models import Region

DEMO_PASSWORD = "styrbord-demo"  # noqa: S105 - printed on purpose; only for the demo database


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    first_name: str
    last_name: str
    scope: str  # human description for the printed table


def build(ctx: DemoContext) -> None:
    """Create a user for every role, scoped to the demo's facilities, municipalities and grantor."""
    norddjurs = ctx.municipalities["0707"]
    holbaek = ctx.municipalities["0316"]
    midtjylland = Region.objects.get(code="1082")
    hovedstaden = Region.objects.get(code="1084")
    managers = ctx.extra["managers"]
    dolmer = ctx.facilities["Dolmer Have"]
    glesborg = ctx.facilities["Bofællesskaberne Glesborg"]
    employee = next(
        e.employee
        for e in ctx.extra["employments"]
        if e.facility == dolmer and e.is_contact_person and e.status == "active" and e.job_group == "social_educator"
    )
    grantor = ctx.extra["grantor"]

    def person(employee_obj: Any) -> tuple[str, str]:
        first, *rest = employee_obj.name.split()
        return first, " ".join(rest)

    # (username, role, first, last, scope fields, scope text)
    rows: list[tuple[str, str, str, str, dict[str, Any], str]] = [
        ("admin", Role.ADMIN, "Systemadministrator", "", {}, "Hele systemet"),
        ("koordinator", Role.COORDINATOR, "Mette", "Kjær", {"municipality": norddjurs}, "Norddjurs Kommune"),
        ("oekonomi", Role.FINANCE, "Lars", "Bach", {"municipality": norddjurs}, "Norddjurs Kommune"),
        ("leder-dolmer", Role.FACILITY_MANAGER, *person(managers["Dolmer Have"]), {}, "Dolmer Have"),
        ("medarbejder", Role.EMPLOYEE, *person(employee), {"employee": employee}, "Egen profil (Dolmer Have)"),
        ("analytiker", Role.ANALYST, "Sofie", "Lund", {"region": midtjylland}, "Region Midtjylland"),
        ("tilskudsgiver", Role.GRANTOR, "Jens", "Holm", {"grantor": grantor}, grantor.name),
        ("koordinator-holbaek", Role.COORDINATOR, "Rikke", "Dahl", {"municipality": holbaek}, "Holbæk Kommune"),
        ("koordinator-regionh", Role.COORDINATOR, "Ahmed", "Nowak", {"region": hovedstaden}, "Region Hovedstaden"),
        ("leder-glesborg", Role.FACILITY_MANAGER, *person(managers[glesborg.name]), {}, glesborg.name),
    ]
    password = make_password(DEMO_PASSWORD)
    logins = []
    for username, role, first, last, scope, scope_text in rows:
        user = User.objects.create(
            username=username,
            role=role,
            first_name=first,
            last_name=last,
            # An address of the reserved .example domain: invitations from the user pages go
            # somewhere (the demo's e-mail is printed to the console), and nowhere real.
            email=f"{username}@styrbord-demo.example",
            password=password,
            is_staff=role == Role.ADMIN,
            is_superuser=role == Role.ADMIN,
            **scope,
        )
        ctx.users[username] = user
        logins.append(DemoLogin(username, str(Role(role).label), first, last, scope_text))
    ctx.users["leder-dolmer"].facilities.set([dolmer])
    ctx.users["leder-glesborg"].facilities.set([glesborg])
    ctx.extra["logins"] = logins
    ctx.extra["demo_password"] = DEMO_PASSWORD
    ctx.note(f"Brugere: {len(rows)} demo-logins, adgangskode {DEMO_PASSWORD!r}")
