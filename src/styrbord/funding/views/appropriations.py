"""Appropriations (bevillinger, tillægsbevillinger): creating one with its lines, and one page each."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from styrbord.accounts.permissions import CREATE, RETRIEVE, get_scoped_or_404, scoped_for
from styrbord.accounts.route_policy import requires
from styrbord.funding.forms import AppropriationForm, AppropriationLineFormSet, BaseAppropriationLineFormSet
from styrbord.funding.models import AppropriationLine
from styrbord.funding.services import FundingError
from styrbord.funding.services.setup import create_appropriation
from styrbord.funding.views.common import appropriations_for, grants_for, pools_for, require
from styrbord.organisations.models import Municipality


@requires("appropriation", CREATE)
@login_required
def appropriation_create(request: HttpRequest) -> HttpResponse:
    """Register a committee's appropriation: its lines within the pool's period and on the pool's own
    grants; a budget-neutral one must balance in every year."""
    require(request, CREATE, "appropriation")
    municipalities = list(scoped_for(request.user, RETRIEVE, "municipality", Municipality.objects.all())[:2])
    if len(municipalities) != 1:
        # Appropriations belong to one municipality: the user's own.
        messages.error(request, _("Bevillinger oprettes af kommunens egne brugere."))
        return redirect("funding:pool_list")
    municipality = municipalities[0]
    form = AppropriationForm(request.POST or None, pools=pools_for(request).filter(municipality=municipality))
    grants = grants_for(request)
    lines = AppropriationLineFormSet(request.POST or None, prefix="line", form_kwargs={"grants": grants})
    if request.method == "POST" and _appropriation_and_lines_valid(form, lines):
        appropriation = form.save(commit=False)
        appropriation.municipality = municipality
        rows = [
            AppropriationLine(
                year=d["year"],
                direction=d["direction"],
                amount=d["amount"],
                grant=d.get("grant"),
                text=d.get("text", ""),
            )
            for d in lines.cleaned_data
            if d and d.get("amount") is not None
        ]
        try:
            create_appropriation(appropriation, rows, request.user)  # type: ignore[arg-type]
        except FundingError as error:
            error.show_on(form)
        else:
            messages.success(request, _("Bevillingen er oprettet."))
            return redirect("funding:appropriation_detail", pk=appropriation.pk)
    return render(request, "funding/appropriation_form.html", {"form": form, "lines": lines})


def _appropriation_and_lines_valid(form: AppropriationForm, lines: BaseAppropriationLineFormSet) -> bool:
    """Both forms checked, and the lines against the chosen pool (its period, its grants), so every
    error shows at once, each at its row."""
    valid = form.is_valid()
    valid = lines.is_valid() and valid
    if "pool" not in form.cleaned_data:
        return False  # the pool itself was refused: its error says so, the rows cannot be checked against it
    return lines.check_pool(form.cleaned_data["pool"]) and valid


@requires("appropriation", RETRIEVE)
@login_required
def appropriation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An appropriation's lines and its income and expenditure per year."""
    appropriation = get_scoped_or_404(
        request.user, RETRIEVE, "appropriation", appropriations_for(request, RETRIEVE), pk=pk
    )
    lines = list(appropriation.lines.select_related("grant__facility", "grant__municipality"))
    return render(
        request,
        "funding/appropriation_detail.html",
        {
            "appropriation": appropriation,
            "lines": lines,
            "years": [(year, i, e, i - e) for year, (i, e) in appropriation.totals_by_year(lines).items()],
            "errors": appropriation.neutrality_errors(lines) if appropriation.budget_neutral else [],
        },
    )
