"""The filter of the workforce page: municipality, facility and a range of years."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from styrbord.organisations.models import Facility, Municipality
from styrbord.workforce.services import (
    MAX_YEARS,
    Selection,
    default_years,
    facilities_for,
    municipalities_for,
    suppresses,
)


class FilterForm(forms.Form):
    kommune = forms.ModelChoiceField(
        queryset=Municipality.objects.none(), label=_("Kommune"), required=False, empty_label=_("Alle")
    )
    tilbud = forms.ModelChoiceField(
        queryset=Facility.objects.none(),
        label=pgettext_lazy("one facility", "Tilbud"),
        required=False,
        empty_label=_("Alle"),
    )
    fra = forms.IntegerField(label=_("Fra år"), min_value=1990, max_value=2100, required=False)
    til = forms.IntegerField(label=_("Til år"), min_value=1990, max_value=2100, required=False)

    def __init__(self, data: Any, *, user: Any, today: dt.date) -> None:
        super().__init__(data)
        self.user = user
        self.today = today
        municipalities = municipalities_for(user)
        self.fields["kommune"].queryset = municipalities  # type: ignore[attr-defined]
        self.own = getattr(user, "municipality", None) if getattr(user, "role", "") in ("coordinator",) else None
        if self.own is not None:
            self.fields["kommune"].empty_label = None  # type: ignore[attr-defined]
        chosen = self._chosen_municipality(municipalities)
        if suppresses(user):
            # Aggregates only: no table per facility. A municipality's figures less its other
            # facilities' gave a hidden facility's small numbers exactly (35 - 6 - 12 - 5 - 9 = 3).
            del self.fields["tilbud"]
        else:
            self.fields["tilbud"].queryset = facilities_for(user, chosen)  # type: ignore[attr-defined]
        first, last = default_years(today)
        self.fields["fra"].widget.attrs["placeholder"] = str(first)
        self.fields["til"].widget.attrs["placeholder"] = str(last)

    def _chosen_municipality(self, municipalities: Any) -> Municipality | None:
        raw = self.data.get("kommune") if self.data else None
        if raw:
            try:  # the field's own reading: a value that is no municipality id chooses none
                chosen: Municipality | None = self.fields["kommune"].clean(raw)
            except forms.ValidationError:
                return None
            return chosen
        return self.own

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = default_years(self.today)
        start, end = data.get("fra") or first, data.get("til") or last
        if start > end:
            start, end = end, start
        if end - start + 1 > MAX_YEARS:
            raise forms.ValidationError(_("Vælg højst %(count)s år ad gangen.") % {"count": MAX_YEARS})
        data["years"] = list(range(start, end + 1))
        facility = data.get("tilbud")
        municipality = data.get("kommune") or self.own
        if facility is not None and municipality is not None and facility.municipality_id != municipality.pk:
            data["tilbud"] = None
        if facility is not None and municipality is None:
            municipality = facility.municipality
        data["kommune"] = municipality
        return data

    def selection(self) -> Selection:
        data = self.cleaned_data
        return Selection(municipality=data["kommune"], facility=data.get("tilbud"), years=data["years"])
