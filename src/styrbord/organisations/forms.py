"""Filters for the facility list."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from styrbord.organisations.models import Municipality


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
