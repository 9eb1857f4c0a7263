"""Filters for the audit log page, and the anonymisation confirmation."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from styrbord.audit.models import AuditEntry
from styrbord.lib.fields import CalendarDateFormField


class LogFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Type"), required=False, choices=[("", _("Alle")), *AuditEntry.Kind.choices])
    action = forms.CharField(
        label=_("Handling indeholder"),
        required=False,
        max_length=100,
        help_text=_("Også navnet på et ændret felt, f.eks. uddannelse."),
        widget=forms.TextInput(attrs={"placeholder": _("f.eks. tilsagn oprettet")}),
    )
    actor = forms.CharField(label=_("Bruger"), required=False, max_length=150)
    subject = forms.IntegerField(label=_("Registreret (medarbejder-id)"), required=False, min_value=1)
    date_from = CalendarDateFormField(
        label=_("Fra dato"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = CalendarDateFormField(label=_("Til dato"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:  # it silently found nothing
            self.add_error("date_to", _("Til-datoen ligger før fra-datoen."))
        return data


class AnonymiseForm(forms.Form):
    reason = forms.CharField(
        label=_("Begrundelse"),
        max_length=200,
        help_text=_("F.eks. anmodning om sletning eller udløbet opbevaringsperiode. Skriv ikke navne."),
    )
    confirm = forms.BooleanField(label=_("Jeg bekræfter, at oplysningerne skal anonymiseres. Det kan ikke fortrydes."))
