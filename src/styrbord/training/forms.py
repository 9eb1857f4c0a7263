"""Forms of the training pages; each cleans into domain objects."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from styrbord.organisations.models import Facility, Municipality
from styrbord.staff.models import Employment
from styrbord.training.models import BookingStatus, Initiative, InitiativeYear


class EmploymentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Employment) -> str:  # type: ignore[override]
        return f"{obj.employee.name} – {obj.facility.name} ({obj.get_job_group_display()})"


class BookForm(forms.Form):
    """Book one of the user's staff on a session."""

    employment = EmploymentChoiceField(queryset=Employment.objects.none(), label=_("Medarbejder"))
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[(BookingStatus.PLANNED, _("Planlagt")), (BookingStatus.BOOKED, _("Tilmeldt"))],
        initial=BookingStatus.BOOKED,
    )
    travel_amount = forms.DecimalField(
        label=_("Transport (kr.)"), min_value=Decimal("0"), decimal_places=2, required=False
    )
    materials_amount = forms.DecimalField(
        label=_("Materialer (kr.)"), min_value=Decimal("0"), decimal_places=2, required=False
    )
    note = forms.CharField(label=_("Bemærkning"), max_length=300, required=False)
    confirm_understaffing = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, employments: QuerySet[Employment], on: dt.date | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        qs = employments.exclude(status=Employment.Status.ENDED).select_related("employee", "facility")
        if on is not None:
            qs = qs.filter(start_date__lte=on).filter(Q(end_date__isnull=True) | Q(end_date__gte=on))
        self.fields["employment"].queryset = qs.order_by("facility__name", "employee__name")  # type: ignore[attr-defined]


class InterestForm(forms.Form):
    note = forms.CharField(label=_("Bemærkning"), max_length=300, required=False)


class AbsenceFilterForm(forms.Form):
    """Facility and month (YYYY-MM) of the absence view."""

    facility = forms.ModelChoiceField(queryset=Facility.objects.none(), label=_("Tilbud"))
    month = forms.CharField(label=_("Måned"), widget=forms.DateInput(attrs={"type": "month"}))

    def __init__(self, *args: Any, facilities: QuerySet[Facility], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["facility"].queryset = facilities  # type: ignore[attr-defined]

    def clean_month(self) -> dt.date:
        value = self.cleaned_data["month"]
        try:
            return dt.date.fromisoformat(f"{value}-01")
        except ValueError:
            raise forms.ValidationError(_("Skriv måneden som ÅÅÅÅ-MM, f.eks. 2026-03.")) from None


class TeamDayForm(forms.Form):
    """Which team takes a course day, how long, and on which day (for the backfill factor)."""

    facility = forms.ModelChoiceField(queryset=Facility.objects.none(), label=_("Tilbud"), required=False)
    contact_staff_only = forms.BooleanField(label=_("Kun kontaktpersoner"), required=False, initial=True)
    hours = forms.DecimalField(
        label=_("Timer pr. kursusdag"),
        min_value=Decimal("0.5"),
        max_value=Decimal("24"),
        decimal_places=2,
        initial=Decimal("7.40"),
    )
    day = forms.DateField(label=_("Dato"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, facilities: QuerySet[Facility], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["facility"].queryset = facilities  # type: ignore[attr-defined]


class SessionForm(forms.Form):
    """A new session: its days one per line ("2026-03-02" or "02-03-2026", optionally hours "7,4")."""

    name = forms.CharField(label=_("Holdbetegnelse"), max_length=200, required=False)
    place = forms.CharField(label=_("Sted"), max_length=200, required=False)
    capacity = forms.IntegerField(label=_("Pladser"), min_value=1, initial=20)
    fee_per_participant = forms.DecimalField(
        label=_("Pris pr. deltager ekskl. moms (tom = kursets pris)"),
        min_value=Decimal("0"),
        decimal_places=2,
        required=False,
    )
    days = forms.CharField(
        label=_("Kursusdage"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_('Én dag pr. linje: dato og evt. timer, f.eks. "2026-03-02 7,4". Standard er 7,4 timer.'),
    )

    def clean_days(self) -> list[tuple[dt.date, Decimal]]:
        days: dict[dt.date, Decimal] = {}
        for number, raw in enumerate(self.cleaned_data["days"].splitlines(), start=1):
            line = raw.strip()
            if not line:
                continue
            parts = line.split()
            day = _parse_day(parts[0])
            if day is None:
                raise forms.ValidationError(
                    _("Linje %(line)s: %(value)s er ikke en dato (ÅÅÅÅ-MM-DD eller DD-MM-ÅÅÅÅ).")
                    % {"line": number, "value": parts[0]}
                )
            hours = Decimal("7.40")
            if len(parts) > 1:
                try:
                    hours = Decimal(parts[1].replace(",", "."))
                except ArithmeticError:
                    hours = Decimal("-1")
                if not Decimal("0") < hours <= Decimal("24"):
                    raise forms.ValidationError(_("Linje %(line)s: timer skal være mellem 0 og 24.") % {"line": number})
            if day in days:
                raise forms.ValidationError(_("Linje %(line)s: datoen står der allerede.") % {"line": number})
            days[day] = hours
        if not days:
            raise forms.ValidationError(_("Angiv mindst én kursusdag."))
        return sorted(days.items())


def _parse_day(text: str) -> dt.date | None:
    for fmt in ("%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


class InitiativeForm(forms.ModelForm):
    """An initiative's name, description, source and municipality (a coordinator's own)."""

    class Meta:
        model = Initiative
        fields = ["name", "description", "municipality", "source"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, municipalities: QuerySet[Municipality], shared_allowed: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["municipality"]
        field.queryset = municipalities  # type: ignore[attr-defined]
        # Only an administrator may keep an initiative without a municipality (shared with all coordinators).
        field.required = not shared_allowed
        if not shared_allowed and self.instance.pk is None and municipalities.count() == 1:
            field.initial = municipalities.first()


class InitiativeYearForm(forms.ModelForm):
    """One year of the consequence table: FTE x annual wage, other operating and establishment costs."""

    class Meta:
        model = InitiativeYear
        fields = ["year", "fte", "annual_wage_per_fte", "other_operating", "establishment"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        year = self.fields["year"]
        year.widget.attrs.update({"min": 2000, "max": 2100})
        year.validators += [MinValueValidator(2000), MaxValueValidator(2100)]
        year.error_messages["min_value"] = year.error_messages["max_value"] = _("Året skal ligge mellem 2000 og 2100.")
        for name in ("fte", "annual_wage_per_fte", "other_operating", "establishment"):
            # Danish input: "5,0" and "600.000" as well as "5.0" from a number field.
            self.fields[name].localize = True
            self.fields[name].widget = forms.TextInput(attrs={"inputmode": "decimal", "size": 12})
            self.fields[name].widget.is_localized = True
            self.fields[name].validators.append(
                MinValueValidator(Decimal("0"), message=_("Beløb og årsværk kan ikke være negative."))
            )


class BaseInitiativeYearFormSet(forms.BaseInlineFormSet):
    def clean(self) -> None:
        # Before Django's own unique check, so a repeated year gets the plain Danish message.
        seen: set[int] = set()
        kept = 0
        for form in self.forms:
            if not getattr(form, "cleaned_data", None) or form.cleaned_data.get("DELETE"):
                continue
            year = form.cleaned_data.get("year")
            if year is None:
                continue
            kept += 1
            if year in seen:
                raise forms.ValidationError(_("Året %(year)s står der to gange.") % {"year": year})
            seen.add(year)
        if kept == 0:
            raise forms.ValidationError(_("Angiv mindst ét år."))
        super().clean()


InitiativeYearFormSet = forms.inlineformset_factory(
    Initiative,
    InitiativeYear,
    form=InitiativeYearForm,
    formset=BaseInitiativeYearFormSet,
    extra=2,
    max_num=20,
    can_delete=True,
)
