"""The scenario form: only the user's own municipality's facilities and grants can be chosen."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Q
from django.utils.translation import gettext as _

from styrbord.funding.models import Grant
from styrbord.funding.services.balances import balances_by_grant
from styrbord.lib.collation import collated
from styrbord.lib.dates import add_months, local_today
from styrbord.lib.formatting import format_kr
from styrbord.lib.money import money_formfield_callback
from styrbord.organisations.models import Facility, Municipality
from styrbord.planning.models import Scenario


class ScenarioForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Scenario
        formfield_callback = money_formfield_callback  # the own budget in Danish kroner
        fields = [
            "name",
            "description",
            "facilities",
            "grants",
            "own_budget",
            "start_date",
            "horizon_end",
            "time_limit_s",
            "days_cap_per_year",
            "keep_accepted",
        ]
        widgets = {
            "facilities": forms.CheckboxSelectMultiple,
            "grants": forms.CheckboxSelectMultiple,
            "start_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "horizon_end": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "description": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, municipality: Municipality, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.municipality = municipality
        facilities = Facility.objects.filter(municipality=municipality).exclude(
            operator_kind=Facility.OperatorKind.REGION
        )
        self.fields["facilities"].queryset = facilities.order_by(collated("name"))  # type: ignore[attr-defined]
        self.fields["facilities"].required = False
        self.fields["facilities"].help_text = _("Ingen valgt betyder alle kommunens tilbud.")
        grants = (
            Grant.objects.filter(status=Grant.Status.APPROVED)
            .filter(Q(facility__municipality=municipality) | Q(municipality=municipality))
            .select_related("pool", "facility", "municipality")
            .order_by("pk")
        )
        self.fields["grants"].queryset = grants  # type: ignore[attr-defined]
        # What each grant has left now (amount less actuals and open commitments): a grant spent
        # by bookings already charged to it gives a plan nothing, and the choice says so.
        self.remaining = {pk: b.remaining for pk, b in balances_by_grant(grants).items()}
        self.fields["grants"].label_from_instance = self._grant_label  # type: ignore[attr-defined]
        # One message for every value outside the range, at the field, and the bounds in the input.
        for name, low, high, message in (
            ("time_limit_s", 1, 600, _("Tidsgrænsen skal være mellem 1 og 600 sekunder.")),
            ("days_cap_per_year", 0, 365, _("Kursusdage pr. person pr. år skal være mellem 0 og 365.")),
        ):
            field = self.fields[name]
            assert isinstance(field, forms.IntegerField)
            field.min_value, field.max_value = low, high
            field.validators = [MinValueValidator(low), MaxValueValidator(high)]
            field.error_messages["min_value"] = field.error_messages["max_value"] = message
            field.widget.attrs.update({"min": low, "max": high})
        self.fields["days_cap_per_year"].help_text = self._days_cap_help(municipality)
        if not self.instance.pk:
            today = local_today()
            self.initial.setdefault("start_date", today)
            self.initial.setdefault("horizon_end", dt.date(add_months(today, 12).year, 12, 31))
            self.initial.setdefault("facilities", list(facilities.values_list("pk", flat=True)))

    @staticmethod
    def _days_cap_help(municipality: Municipality) -> str:
        """The cap's help, naming the longest course with a session still to come: a 12-day
        education could never be planned under the default cap of 10, and the run only said so
        afterwards ("Loft over kursusdage")."""
        from django.db.models import Max

        from styrbord.training.models import Session

        longest = (
            Session.objects.filter(first_day__gte=local_today())
            .filter(Q(municipality__isnull=True) | Q(municipality=municipality))
            .aggregate(days=Max("course__duration_days"))["days"]
        )
        text = _("Inklusive allerede bookede kursusdage.")
        if longest and longest > 1:
            text += " " + _(
                "Det længste kursus med kommende hold varer %(days)s dage: et lavere loft udelukker det fra planen."
            ) % {"days": longest}
        return text

    def _grant_label(self, grant: Grant) -> str:
        remaining = self.remaining.get(grant.pk, grant.amount)
        if remaining <= 0:
            return _("%(grant)s (intet tilbage)") % {"grant": grant}
        return _("%(grant)s (%(remaining)s tilbage af %(amount)s)") % {
            "grant": grant,
            "remaining": format_kr(remaining),
            "amount": format_kr(grant.amount),
        }

    def spent_grants(self) -> list[Grant]:
        """The chosen grants with nothing left: a plan cannot use them (said when the form is saved)."""
        chosen = self.cleaned_data.get("grants") or []
        return [g for g in chosen if self.remaining.get(g.pk, g.amount) <= 0]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start_date"), data.get("horizon_end")
        if start and end and end < start:
            self.add_error("horizon_end", _("Planlæg til skal ligge efter planlæg fra."))
        return data

    def save(self, commit: bool = True) -> Scenario:
        scenario: Scenario = super().save(commit=False)
        scenario.municipality = self.municipality
        if commit:
            scenario.save()
            self.save_m2m()
            if not scenario.facilities.exists():
                scenario.facilities.set(self.fields["facilities"].queryset)  # type: ignore[attr-defined]
        return scenario
