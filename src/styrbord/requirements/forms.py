"""Forms: the requirement editor for coordinators and the filters of the coverage pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from styrbord.accounts.permissions import LIST, is_administrator, scoped_for
from styrbord.competences.models import Competence
from styrbord.lib.collation import collated
from styrbord.lib.dates import local_today
from styrbord.lib.fields import CalendarDateFormField
from styrbord.organisations.models import Facility, Municipality, Region, Unit
from styrbord.requirements.coverage import GapReason
from styrbord.requirements.models import RULES_WITH_MONTHS, Population, Requirement, ScopeLevel
from styrbord.staff.models import JobGroup


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class RequirementForm(forms.ModelForm):
    """Create or edit a requirement; scope choices are limited to the user's own tenant."""

    job_groups = forms.MultipleChoiceField(
        label=_("Faggrupper"),
        choices=JobGroup.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Ingen valgt betyder alle faggrupper."),
    )

    class Meta:
        model = Requirement
        fields = [
            "name",
            "description",
            "scope_level",
            "region",
            "municipality",
            "facility",
            "unit",
            "population",
            "effective_from",
            "job_groups",
            "competences",
            "rule",
            "target_percent",
            "months",
            "deadline",
            "priority",
            "source_kind",
            "source_reference",
            "is_active",
        ]
        widgets = {
            "competences": forms.CheckboxSelectMultiple,
            "effective_from": DateInput(),
            "deadline": DateInput(),
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        facilities = scoped_for(user, LIST, "facility", Facility.objects.all())
        self.fields["facility"].queryset = facilities  # type: ignore[attr-defined]
        self.fields["unit"].queryset = Unit.objects.filter(facility__in=facilities).select_related("facility")  # type: ignore[attr-defined]
        self.fields["competences"].queryset = Competence.objects.order_by(collated("name"))  # type: ignore[attr-defined]
        if is_administrator(user):
            self.fields["municipality"].queryset = Municipality.objects.all()  # type: ignore[attr-defined]
            self.fields["region"].queryset = Region.objects.all()  # type: ignore[attr-defined]
        else:
            self.fields["municipality"].queryset = Municipality.objects.filter(pk=user.municipality_id)  # type: ignore[attr-defined]
            if not self.instance.pk and user.municipality_id:
                # Their one municipality, chosen already (the first save failed with "Vælg kommunen").
                self.initial.setdefault("municipality", user.municipality_id)
            self.fields["region"].queryset = Region.objects.none()  # type: ignore[attr-defined]
            self.fields["scope_level"].choices = [  # type: ignore[attr-defined]
                (value, label)
                for value, label in ScopeLevel.choices
                if value in (ScopeLevel.MUNICIPALITY, ScopeLevel.FACILITY, ScopeLevel.UNIT)
            ]
        if self.instance.pk:
            self.initial["job_groups"] = list(self.instance.job_groups or [])
        # Which of these fields matter follows from three choices; the page shows only those (a
        # small script reads these attributes; without JavaScript every field shows).
        show_when: dict[str, tuple[str, list[str]]] = {
            "region": ("scope_level", [ScopeLevel.REGION]),
            "municipality": ("scope_level", [ScopeLevel.MUNICIPALITY]),
            "facility": ("scope_level", [ScopeLevel.FACILITY]),
            "unit": ("scope_level", [ScopeLevel.UNIT]),
            "effective_from": ("population", [Population.NEW_STAFF]),
            "months": ("rule", [str(rule) for rule in RULES_WITH_MONTHS]),
        }
        for name, (controller, values) in show_when.items():
            self.fields[name].widget.attrs["data-show-when"] = f"{controller}:{' '.join(values)}"

    def clean_job_groups(self) -> list[str]:
        return list(self.cleaned_data.get("job_groups") or [])


class CoverageFilterForm(forms.Form):
    """Date and municipality of the heat map."""

    dato = CalendarDateFormField(label=_("Dato"), required=False, widget=DateInput())
    kommune = forms.ModelChoiceField(
        label=_("Kommune"), queryset=Municipality.objects.none(), required=False, empty_label=_("Alle")
    )

    def __init__(self, *args: Any, municipalities: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["dato"].initial = local_today()
        if municipalities is not None:
            self.fields["kommune"].queryset = municipalities  # type: ignore[attr-defined]

    def on(self, default: dt.date) -> dt.date:
        if self.is_valid() and self.cleaned_data.get("dato"):
            value: dt.date = self.cleaned_data["dato"]
            return value
        return default


class RequirementChoiceField(forms.ModelChoiceField):
    """A requirement with where it applies, e.g. 'Kontaktpersoner specialiseret · Region Midtjylland'."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} · {obj.scope_text()}"


class AggregateFilterForm(forms.Form):
    """Requirement, municipality and date of the aggregate coverage page."""

    krav = RequirementChoiceField(label=_("Krav"), queryset=Requirement.objects.none(), required=False)
    kommune = forms.ModelChoiceField(
        label=_("Kommune"), queryset=Municipality.objects.none(), required=False, empty_label=_("Alle")
    )
    dato = CalendarDateFormField(label=_("Dato"), required=False, widget=DateInput())

    def __init__(self, *args: Any, requirements: Any, municipalities: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["krav"].queryset = requirements  # type: ignore[attr-defined]
        self.fields["krav"].empty_label = None  # type: ignore[attr-defined]
        self.fields["kommune"].queryset = municipalities  # type: ignore[attr-defined]
        self.fields["dato"].initial = local_today()

    def value(self, name: str, default: Any = None) -> Any:
        """A cleaned value, or ``default`` when the field is empty (or the form was not sent)."""
        if not self.is_bound or not self.is_valid():
            return default
        return self.cleaned_data.get(name) or default


class GapFilterForm(forms.Form):
    """Filters of the gap list."""

    dato = CalendarDateFormField(label=_("Dato"), required=False, widget=DateInput())
    krav = forms.ModelChoiceField(
        label=_("Krav"), queryset=Requirement.objects.none(), required=False, empty_label=_("Alle krav")
    )
    aarsag = forms.ChoiceField(label=_("Årsag"), choices=[("", _("Alle årsager")), *GapReason.choices], required=False)
    # Set by the "Find hold" link on a person's profile: only that person's gaps (an id, no name).
    medarbejder = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, requirements: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["dato"].initial = local_today()
        if requirements is not None:
            self.fields["krav"].queryset = requirements  # type: ignore[attr-defined]
