"""Find a person: search the staff in the user's scope by name, facility and job group.

The search is a POST form, so a name typed into it never lands in a URL, a browser history or
a web server's access log. Each search is in the audit trail with the people it found (never
the search text itself, which may be a name).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_http_methods

from styrbord.accounts.permissions import LIST, can, scope, scoped_for
from styrbord.accounts.route_policy import requires
from styrbord.audit.services import log_access
from styrbord.lib.collation import collated
from styrbord.lib.dates import local_today
from styrbord.organisations.models import Facility
from styrbord.organisations.services import current_q
from styrbord.staff.models import Employee, Employment, JobGroup

MAX_RESULTS = 100


class EmployeeSearchForm(forms.Form):
    navn = forms.CharField(label=_("Navn"), required=False, max_length=100)
    tilbud = forms.ModelChoiceField(
        label=pgettext_lazy("one facility", "Tilbud"),
        queryset=Facility.objects.none(),
        required=False,
        empty_label=_("Alle tilbud"),
    )
    faggruppe = forms.ChoiceField(label=_("Faggruppe"), required=False)
    fratraadte = forms.BooleanField(label=_("Også fratrådte"), required=False)

    def __init__(self, *args: Any, facilities: QuerySet[Facility], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["tilbud"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = facilities
        self.fields["faggruppe"].choices = [("", _("Alle faggrupper")), *JobGroup.choices]  # type: ignore[attr-defined]
        self.fields["navn"].widget.attrs.update({"autocomplete": "off", "placeholder": _("Fornavn eller efternavn")})

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("navn") or "").strip() and not data.get("tilbud") and not data.get("faggruppe"):
            raise forms.ValidationError(_("Skriv et navn, eller vælg et tilbud eller en faggruppe."))
        return data


def find_employees(user: Any, data: dict[str, Any]) -> tuple[list[dict[str, Any]], int]:
    """The people matching the search, by name, with their employments in the user's scope."""
    today = local_today()
    # Staff today and those hired who have not started yet (a new colleague is looked up before
    # the first day); everyone, the ended included, on request.
    coming = Q(start_date__gt=today) & ~Q(status=Employment.Status.ENDED)
    employments = (
        Employment.objects.all() if data.get("fratraadte") else Employment.objects.filter(current_q(today) | coming)
    )
    employments = scope(user, employments.filter(employee__anonymised_at__isnull=True))
    name = (data.get("navn") or "").strip()
    if name:
        for word in name.split():
            employments = employments.filter(employee__name__folded_contains=word)
    if data.get("tilbud"):
        employments = employments.filter(facility=data["tilbud"])
    if data.get("faggruppe"):
        employments = employments.filter(job_group=data["faggruppe"])
    # The employments are scoped already, so their people are the ones the user may list.
    people = Employee.objects.filter(pk__in=employments.values("employee_id"))
    total = people.count()
    found = list(
        people.order_by(collated("name"), "pk").values("pk", "name", "education", "education_relevant")[:MAX_RESULTS]
    )
    jobs: dict[int, list[Employment]] = defaultdict(list)
    for e in (
        employments.filter(employee_id__in=[p["pk"] for p in found])
        .select_related("facility", "unit")
        .order_by("-start_date")
    ):
        jobs[e.employee_id].append(e)
    return [{**p, "employments": jobs[p["pk"]]} for p in found], total


@requires("employee", LIST)
@login_required
@require_http_methods(["GET", "POST"])
def employee_search(request: HttpRequest) -> HttpResponse:
    """'Find medarbejder': a name search over the staff in the user's scope."""
    user = request.user
    if not can(user, LIST, "employee"):
        raise PermissionDenied
    facilities = scoped_for(user, LIST, "facility", Facility.objects.order_by(collated("name")))
    form = EmployeeSearchForm(request.POST or None, facilities=facilities)
    results: list[dict[str, Any]] | None = None
    total = 0
    if request.method == "POST" and form.is_valid():
        results, total = find_employees(user, form.cleaned_data)
        log_access(user, "staff.employee.searched", [r["pk"] for r in results], data={"found": total})
    context = {"form": form, "results": results, "total": total, "max_results": MAX_RESULTS, "today": local_today()}
    return render(request, "staff/employee_search.html", context, status=400 if form.errors else 200)
