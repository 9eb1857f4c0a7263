"""Forms on a person's profile: their education and whether it counts as relevant."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from styrbord.staff.models import Employee


class EducationForm(forms.ModelForm):  # type: ignore[type-arg]
    """Education (free text, checked by the model's validators: at most 200 characters, no CPR
    number) and the relevant-education mark. ``version`` is the person's version when the page
    was read, so a change made meanwhile (an HR import, a colleague) is not silently undone."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    class Meta:
        model = Employee
        fields = ["education", "education_relevant"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["version"] = self.instance.version

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("education_relevant") and not data.get("education") and "education" not in self.errors:
            self.add_error(
                "education_relevant",
                gettext_lazy("Skriv personens uddannelse, før den markeres som relevant."),
            )
        return data
