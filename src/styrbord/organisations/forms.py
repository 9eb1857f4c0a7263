"""Filters for the facility list; the minimum staffing of a facility."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from styrbord.organisations.models import Facility, Municipality, StaffingPeriod


class FacilityFilterForm(forms.Form):
    """Search by name and narrow to one municipality (only those in the user's scope)."""

    q = forms.CharField(label=_("Søg"), required=False, max_length=100)
    municipality = forms.ModelChoiceField(
        label=_("Kommune"), queryset=Municipality.objects.none(), required=False, empty_label=_("Alle kommuner")
    )

    def __init__(self, *args: Any, municipalities: QuerySet[Municipality], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["municipality"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = municipalities
        self.fields["q"].widget.attrs.update({"placeholder": _("Tilbuddets navn")})


DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MinimumStaffingForm(forms.ModelForm):
    """The facility's usual minimums: weekdays and weekends."""

    class Meta:
        model = Facility
        fields = ["minimum_staff", "minimum_staff_weekend"]
        labels = {
            "minimum_staff": _("Hverdage (mandag-fredag)"),
            "minimum_staff_weekend": _("Weekend og helligdage"),
        }


class StaffingPeriodForm(forms.ModelForm):
    class Meta:
        model = StaffingPeriod
        fields = ["start_date", "end_date", "minimum", "reason"]
        widgets = {"start_date": DATE, "end_date": DATE}


StaffingPeriodFormSet = forms.inlineformset_factory(
    Facility, StaffingPeriod, form=StaffingPeriodForm, extra=1, max_num=200, can_delete=True
)
