"""A person's education and whether it counts as relevant, kept in Styrbord.

Committees are told the share of staff with a relevant education (a workforce figure), so the
coordinator and the facility manager keep it here rather than only in the HR system:

- on a person's profile, one person's education and mark (``education_update``);
- on "Uddannelser", every education text among the people in the user's area whom the share
  with a relevant education is of today (``people_in_area``: a primary employment in force, not a
  trainee's, student's or intern's, as ``organisations.services.education_counted_q`` says), with
  a relevant yes/no per text that is applied to every such person with that exact text
  (``education_list``), in one transaction.

Both log one ``staff.employee.updated`` entry per person changed, naming the fields (and the new
mark), never the education text: the trail is kept after a person is anonymised. An HR import
whose file has the relevant-education column writes the mark again at its next run.

Both keep the education history (``staff.education``): a change on the profile holds from today
(earlier years' figures keep the education held then); a mark on "Uddannelser" classifies the
text, and so is set on the earlier periods with that text as well.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, F, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from styrbord.accounts.permissions import LIST, RETRIEVE, UPDATE, can, get_scoped_or_404, scoped_for
from styrbord.accounts.route_policy import requires
from styrbord.audit.models import AuditEntry
from styrbord.audit.services import log_access
from styrbord.lib.collation import collated
from styrbord.lib.dates import local_today
from styrbord.lib.formatting import format_number
from styrbord.organisations.services import current_employments, education_counted_q
from styrbord.staff.education import reclassify, record_education
from styrbord.staff.importing.plan import RELEVANT_COLUMN
from styrbord.staff.models import Employee
from styrbord.staff.profiles.forms import EducationForm
from styrbord.staff.profiles.views import may_edit_education, render_profile

UPDATED = "staff.employee.updated"
RELEVANT, NOT_RELEVANT, MIXED = "ja", "nej", "blandet"
STATES = frozenset({RELEVANT, NOT_RELEVANT, MIXED})
# Two form fields a row: the most a page can send within Django's DATA_UPLOAD_MAX_NUMBER_FIELDS.
MAX_ROWS = 400


def _log_changed(user: Any, ids: list[int], fields: list[str], relevant: bool | None) -> None:
    """One change entry per person, as the HR import writes them (``staff.employee.updated``)."""
    data: dict[str, Any] = {"fields": fields}
    if relevant is not None:
        data["education_relevant"] = relevant
    log_access(user, UPDATED, ids, data, kind=AuditEntry.Kind.CHANGE)


# --- one person, on the profile ------------------------------------------------------------------


def _stored_values(employee: Employee) -> dict[str, Any]:
    """The education form's data as the person is stored now (an unticked box is not sent)."""
    values: dict[str, Any] = {"education": employee.education, "version": employee.version}
    if employee.education_relevant:
        values["education_relevant"] = "on"
    return values


def _conflict_message(typed: dict[str, Any]) -> str:
    """Why nothing was saved, with what the user typed (the form shows what is stored instead)."""
    relevant = _("markeret som relevant") if typed["education_relevant"] else _("ikke markeret som relevant")
    if typed["education"]:
        what = _("»%(education)s«, %(relevant)s") % {"education": typed["education"], "relevant": relevant}
    else:
        what = _("ingen uddannelse, %(relevant)s") % {"relevant": relevant}
    return _(
        "Personens oplysninger er ændret, siden du åbnede siden (f.eks. af et HR-udtræk), og intet er gemt. "
        "Formularen viser nu de gemte oplysninger. Du skrev: %(typed)s. Skriv det igen, og gem, hvis det "
        "stadig skal gælde."
    ) % {"typed": what}


@requires("employee", UPDATE)
@login_required
@require_POST
def education_update(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the education form of a person's profile; with errors, the profile shows them (400)."""
    user = request.user
    if not can(user, UPDATE, "employee"):
        raise PermissionDenied
    employee = get_scoped_or_404(user, UPDATE, "employee", Employee.objects.all(), pk=pk)
    if not may_edit_education(user, employee):
        raise PermissionDenied
    form = EducationForm(request.POST, instance=employee)
    changed: list[str] = []
    if form.is_valid():
        data = form.cleaned_data
        with transaction.atomic():
            locked = Employee.objects.select_for_update().get(pk=employee.pk)
            if locked.version != data["version"]:
                # Nothing is saved. The form now shows what is stored, against the version read
                # here, and the message what was typed: pressing save again keeps the other change,
                # and only typing one's own again (a deliberate choice) replaces it.
                form = EducationForm(_stored_values(locked), instance=locked)
                form.is_valid()
                form.add_error(None, _conflict_message(data))
            else:
                changed = [f for f in ("education", "education_relevant") if getattr(locked, f) != data[f]]
                if changed:
                    Employee.objects.filter(pk=locked.pk).update(
                        education=data["education"],
                        education_relevant=data["education_relevant"],
                        version=F("version") + 1,
                    )
                    record_education([locked.pk])  # a change from today on (the history keeps the old)
                    relevant = data["education_relevant"] if "education_relevant" in changed else None
                    _log_changed(user, [locked.pk], changed, relevant)
        if not form.errors:
            if changed:
                messages.success(request, _("Uddannelsen er gemt."))
            else:
                messages.info(request, _("Uddannelsen var allerede sådan. Intet er ændret."))
            return redirect("staff:employee_detail", pk=employee.pk)
    # The page as it stands in the database, with the form as sent and its messages.
    return render_profile(request, Employee.objects.get(pk=employee.pk), own=False, education_form=form, status=400)


# --- every education in the area -----------------------------------------------------------------


@dataclass(frozen=True)
class EducationGroup:
    """One education text and the people in the area who have it."""

    education: str
    people: int
    relevant: int

    @property
    def key(self) -> str:
        """The row's name in the form: the text itself could be changed on the way (line breaks,
        spaces), and a digest of it finds exactly this text again when the form comes back."""
        return hashlib.sha256(self.education.encode()).hexdigest()[:20]

    @property
    def state(self) -> str:
        if self.relevant == self.people:
            return RELEVANT
        return NOT_RELEVANT if self.relevant == 0 else MIXED


def people_in_area(user: Any) -> QuerySet[Employee]:
    """The people in the user's scope whom the share with a relevant education is of today (not
    anonymised): a primary employment in force, not a learner's (``education_counted_q``), as the
    workforce figures and the facility pages count that share. Trainees, students and interns
    are training for an education and are neither counted nor marked here."""
    employments = scoped_for(user, LIST, "employment", current_employments(local_today()).filter(education_counted_q()))
    return Employee.objects.filter(pk__in=employments.values("employee_id"), anonymised_at__isnull=True)


def education_groups(people: QuerySet[Employee]) -> list[EducationGroup]:
    """Each education text of ``people`` with how many have it and how many of those are marked
    relevant: the most common first, then in Danish alphabetical order."""
    rows = (
        people.exclude(education="")
        .values("education")
        .annotate(n=Count("pk"), relevant=Count("pk", filter=Q(education_relevant=True)))
        .order_by("-n", collated("education"), "education")
    )
    return [EducationGroup(r["education"], r["n"], r["relevant"]) for r in rows]


def apply_relevance(user: Any, changes: dict[str, bool]) -> int:
    """Mark every person in the user's area with each education text as relevant or not, all or
    nothing; each person changed is logged. Returns how many people changed.

    The mark classifies the text, so it holds for the earlier years too: every period of the
    education history of the people in the area with that exact text gets it
    (``staff.education.reclassify``), and a year's workforce figure counts those people as
    relevant (or not) in every year they had it. A person whose earlier period alone changed (who
    has another education now) is logged too, as a change of the mark in their history."""
    changed: list[int] = []
    with transaction.atomic():
        people = people_in_area(user)
        for education, relevant in changes.items():
            due = people.filter(education=education).exclude(education_relevant=relevant)
            ids = list(
                Employee.objects.select_for_update()
                .filter(pk__in=due.values("pk"))
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            if ids:
                Employee.objects.filter(pk__in=ids).update(education_relevant=relevant, version=F("version") + 1)
                _log_changed(user, ids, ["education_relevant"], relevant)
                changed.extend(ids)
            earlier = sorted(set(reclassify(people, education, relevant)) - set(ids))
            if earlier:
                _log_changed(user, earlier, ["education_relevant"], relevant)
        # The changed people's open periods take the new mark, and the people without a history
        # yet (a bulk load) get one: one call over every text (each person has one text).
        record_education(changed)
    return len(changed)


def _chosen(post: Any, groups: list[EducationGroup]) -> tuple[dict[str, bool], bool]:
    """(education -> relevant, for the rows whose choice differs from what the page showed;
    whether a value was not one the page offers). A row the page did not show is left alone,
    and so is a row left as shown, even if an import changed its people since."""
    changes: dict[str, bool] = {}
    tampered = False
    for group in groups:
        chosen, shown = post.get(f"relevant-{group.key}"), post.get(f"shown-{group.key}")
        if chosen is None or shown is None:
            continue
        if chosen not in STATES or shown not in STATES:
            tampered = True
        elif chosen != shown and chosen != MIXED:
            changes[group.education] = chosen == RELEVANT
    return changes, tampered


def _area(user: Any) -> str:
    """Whose people the page shows: the coordinator's municipality (or region), or all."""
    for place in (getattr(user, "municipality", None), getattr(user, "region", None)):
        if place is not None:
            return str(place.name)
    return _("alle kommuner")


@requires("employee", UPDATE, also=(("municipality", RETRIEVE),))
@login_required
@require_http_methods(["GET", "POST"])
def education_list(request: HttpRequest) -> HttpResponse:
    """'Uddannelser': the coordinator marks which educations count as relevant, for everyone in
    the municipality with that education at once."""
    user = request.user
    if not (can(user, UPDATE, "employee") and can(user, RETRIEVE, "municipality")):
        raise PermissionDenied
    people = people_in_area(user)
    groups = education_groups(people)
    error = ""
    if request.method == "POST":
        changes, tampered = _chosen(request.POST, groups)
        if tampered:
            error = _("Vælg ja eller nej for hver uddannelse.")
        else:
            changed = apply_relevance(user, changes)
            if changed:
                messages.success(
                    request,
                    ngettext(
                        "Relevant uddannelse er ændret for %(count)s person.",
                        "Relevant uddannelse er ændret for %(count)s personer.",
                        changed,
                    )
                    % {"count": format_number(changed)},
                )
            else:
                messages.info(request, _("Ingen personer er ændret."))
            return redirect("staff:education_list")
    # The three figures above the table in one query.
    counts = people.aggregate(
        headcount=Count("pk"),
        relevant=Count("pk", filter=Q(education_relevant=True)),
        without_education=Count("pk", filter=Q(education="")),
    )
    context = {
        "groups": groups[:MAX_ROWS],
        "hidden_rows": max(0, len(groups) - MAX_ROWS),
        "headcount": counts["headcount"],
        "relevant": counts["relevant"],
        "without_education": counts["without_education"],
        "area": _area(user),
        "relevant_column": RELEVANT_COLUMN,
        "error": error,
        "states": {"yes": RELEVANT, "no": NOT_RELEVANT, "mixed": MIXED},
    }
    return render(request, "staff/education_list.html", context, status=400 if error else 200)
