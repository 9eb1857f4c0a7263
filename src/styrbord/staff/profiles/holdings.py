"""Register by hand that a person holds a competence, and remove such a registration again.

For certificates from elsewhere (a previous job, a course paid privately): the facility
manager or coordinator records the competence, the day it was acquired and the evidence. The
expiry follows the competence's validity unless given. Only holdings registered by hand can be
removed here; those from courses and HR imports are corrected at their source.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from styrbord.accounts.permissions import CREATE, DELETE, RETRIEVE, can, get_scoped_or_404
from styrbord.accounts.route_policy import requires
from styrbord.competences.models import Competence, CompetenceHolding
from styrbord.competences.services import register_holding, remove_holding
from styrbord.lib.collation import collated
from styrbord.lib.dates import local_today
from styrbord.lib.fields import CalendarDateFormField
from styrbord.staff.models import Employee

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CompetenceChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Competence) -> str:  # type: ignore[override]
        if obj.validity_months:
            return _("%(name)s (gyldig %(months)s mdr.)") % {"name": obj.name, "months": obj.validity_months}
        return obj.name


class HoldingForm(forms.Form):
    competence = CompetenceChoice(
        label=gettext_lazy("Kompetence"), queryset=Competence.objects.order_by(collated("name"))
    )
    acquired_on = CalendarDateFormField(label=gettext_lazy("Opnået"), widget=DATE)
    expires_on = CalendarDateFormField(
        label=gettext_lazy("Udløber"),
        widget=DATE,
        required=False,
        help_text=gettext_lazy("Tom: beregnes ud fra kompetencens gyldighed. Sidste gyldige dag."),
    )
    evidence = forms.CharField(
        label=gettext_lazy("Dokumentation"),
        max_length=300,
        required=False,
        help_text=gettext_lazy("F.eks. kursusbevis fra tidligere arbejdsgiver, udstedt af …"),
    )

    def clean_acquired_on(self) -> Any:
        day = self.cleaned_data["acquired_on"]
        if day > local_today():
            raise ValidationError(_("Datoen ligger i fremtiden. Registrér kompetencen, når den er opnået."))
        return day


class RemoveForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Begrundelse"), max_length=200)


@requires("competence_holding", CREATE, also=(("employee", RETRIEVE),))
@login_required
@require_http_methods(["GET", "POST"])
def holding_create(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    if not can(user, CREATE, "competence_holding"):
        raise PermissionDenied
    employee = get_scoped_or_404(user, RETRIEVE, "employee", Employee.objects.all(), pk=pk)
    form = HoldingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            register_holding(
                user, employee, data["competence"], data["acquired_on"], data["expires_on"], data["evidence"]
            )
        except ValidationError as error:
            _attach(form, error)
        else:
            messages.success(request, _("%(competence)s er registreret.") % {"competence": data["competence"].name})
            return redirect("staff:employee_detail", pk=employee.pk)
    status = 400 if form.errors else 200
    return render(request, "staff/holding_form.html", {"form": form, "employee": employee}, status=status)


def _attach(form: forms.Form, error: ValidationError) -> None:
    """Put a model validation error on the form's fields: an expiry outside the calendar on
    acquired_on, an expiry before the acquisition on expires_on (the rule's field)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


@requires("competence_holding", DELETE, also=(("employee", RETRIEVE),))
@login_required
@require_http_methods(["GET", "POST"])
def holding_remove(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    if not can(user, DELETE, "competence_holding"):
        raise PermissionDenied
    holding = get_scoped_or_404(
        user,
        DELETE,
        "competence_holding",
        CompetenceHolding.objects.select_related("employee", "competence").filter(
            source=CompetenceHolding.Source.MANUAL
        ),
        pk=pk,
    )
    form = RemoveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        remove_holding(user, holding, form.cleaned_data["reason"])
        messages.success(request, _("Registreringen er fjernet."))
        return redirect("staff:employee_detail", pk=holding.employee_id)
    status = 400 if form.errors else 200
    return render(request, "staff/holding_remove.html", {"form": form, "holding": holding}, status=status)
