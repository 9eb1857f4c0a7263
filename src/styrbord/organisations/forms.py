"""Filters for the facility list; a facility's facts; the minimum staffing of a facility."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from styrbord.accounts.permissions import scope
from styrbord.audit.services import snapshot
from styrbord.lib.collation import collated, sort_key
from styrbord.lib.fields import state_digest
from styrbord.lib.formatting import format_number
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


ASCII_DIGITS = re.compile(r"[0-9]+")
MAX_PLACES = 9999  # the largest facilities have a few hundred places; more is a typing error


class CodeListChoiceIterator(forms.models.ModelChoiceIterator):
    """A code list's choices in the order of their labels as shown: the list is ordered by the
    stored Danish names, and in English the translated names would otherwise come in that order."""

    def __iter__(self) -> Iterator[Any]:
        choices = list(super().__iter__())
        head = choices[:1] if self.field.empty_label is not None else []
        yield from head
        yield from sorted(choices[len(head) :], key=lambda choice: sort_key(str(choice[1])))


class CodeListField(forms.ModelMultipleChoiceField):
    """Legal bases, target groups or methods; labelled by ``str()``, i.e. ``display_name``."""

    iterator = CodeListChoiceIterator


class FacilityForm(forms.ModelForm):
    """The facts a coordinator keeps about a facility: what it is, whom it serves, how, how big.

    Not its municipality, operator or region: those decide who may see the facility at all, so
    they are set by an administrator (as in the API, which leaves them out too). Its minimum
    staffing has its own page, its units come from the HR import, and its backfill factor is a
    dated rate (``training.BackfillFactor``), not a fact of the facility.

    ``state`` carries a digest of the facility as the form was opened; saving over a change
    someone else made meanwhile is refused (see ``changed_since_opened``).
    """

    state = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Facility
        error_messages = {
            "name": {"required": _("Skriv tilbuddets navn.")},
            "places": {
                "min_value": _("Pladser kan ikke være et negativt tal."),
                "invalid": _("Pladser: skriv et helt tal, f.eks. 24."),
            },
        }
        fields = [
            "name",
            "kind",
            "operator_name",
            "places",
            "tilbudsportalen_id",
            "legal_bases",
            "target_groups",
            "methods",
        ]
        field_classes = {"legal_bases": CodeListField, "target_groups": CodeListField, "methods": CodeListField}
        widgets = {
            "legal_bases": forms.CheckboxSelectMultiple,
            "target_groups": forms.CheckboxSelectMultiple,
            "methods": forms.CheckboxSelectMultiple,
        }
        help_texts = {
            "tilbudsportalen_id": _("Tilbuddets nummer på Tilbudsportalen (kun cifre)."),
        }

    def __init__(self, *args: Any, viewer: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.viewer = viewer  # who edits: a clashing facility is named only if they may see it
        # The stored facility's digest (taken here, before validation writes the posted values
        # onto the instance): sent with the page, compared when it comes back.
        self.initial["state"] = facility_state_digest(self.instance)

    def clean_name(self) -> str:
        name = " ".join(str(self.cleaned_data["name"]).split())
        if not name:
            raise forms.ValidationError(gettext("Skriv tilbuddets navn."))
        # Compared in Python: SQLite's case-insensitive match knows only A-Z, not ÆØÅ.
        municipality_id = self.municipality_id()
        others = Facility.objects.none()  # an administrator's choice that is itself in error
        if municipality_id is not None:
            others = Facility.objects.filter(municipality_id=municipality_id).exclude(pk=self.instance.pk)
        same = next((f for f in others.only("name") if f.name.casefold() == name.casefold()), None)
        if same is not None:
            raise forms.ValidationError(
                gettext("Kommunen har allerede et tilbud, der hedder »%(name)s«.") % {"name": same.name}
            )
        return name

    def clean_places(self) -> int:
        places = int(self.cleaned_data["places"])
        if places > MAX_PLACES:
            raise forms.ValidationError(
                gettext("Højst %(max)s pladser; tjek tallet.") % {"max": format_number(MAX_PLACES)}
            )
        return places

    def clean_tilbudsportalen_id(self) -> str:
        value = str(self.cleaned_data["tilbudsportalen_id"]).strip()
        if value and not ASCII_DIGITS.fullmatch(value):  # not str.isdigit(): "²" and "٣" are digits to it
            raise forms.ValidationError(
                gettext("Tilbudsportalen-id består kun af cifre, f.eks. 43871. »%(value)s« er ikke et tal.")
                % {"value": value}
            )
        if value:
            same = Facility.objects.filter(tilbudsportalen_id=value).exclude(pk=self.instance.pk).first()
            if same is not None:
                if self.viewer is not None and scope(self.viewer, Facility.objects.filter(pk=same.pk)).exists():
                    raise forms.ValidationError(
                        gettext("Tilbudsportalen-id %(value)s er allerede givet til et andet tilbud (%(name)s).")
                        % {"value": value, "name": same.name}
                    )
                # Another tenant's facility: that the number is taken, not by which facility.
                raise forms.ValidationError(
                    gettext("Tilbudsportalen-id %(value)s er allerede givet til et andet tilbud.") % {"value": value}
                )
        return value

    def changed_since_opened(self) -> bool:
        """Whether the facility as stored now differs from the one the form was opened with."""
        return str(self.data.get(self.add_prefix("state"), "")) != self.initial["state"]

    def municipality_id(self) -> int | None:
        """The municipality the facility is (to be) in: the stored one when editing."""
        return self.instance.municipality_id


class FacilityCreateForm(FacilityForm):
    """A new facility: the facts of ``FacilityForm``, and who runs it.

    A coordinator creates facilities in their own municipality (``municipality``); an
    administrator chooses the municipality. The operator is the municipality or a private one:
    a facility a region runs belongs to the region's scope and is set up by an administrator."""

    CREATABLE_OPERATORS = (Facility.OperatorKind.MUNICIPALITY, Facility.OperatorKind.PRIVATE)

    operator_kind = forms.ChoiceField(
        label=_("Driftsherre"),
        choices=[(kind.value, kind.label) for kind in CREATABLE_OPERATORS],
        initial=Facility.OperatorKind.MUNICIPALITY,
        help_text=_(
            "Kommunen selv, eller en privat (selvejende) leverandør, kommunen har tilbuddet hos. "
            "Kan bagefter kun ændres af en systemadministrator."
        ),
        error_messages={
            "invalid_choice": _(
                "Vælg kommunen eller en privat driftsherre. Et tilbud, som en region driver, oprettes af en "
                "systemadministrator."
            )
        },
    )

    def __init__(self, *args: Any, municipality: Municipality | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fixed_municipality = municipality
        if municipality is None:  # an administrator: any municipality
            self.fields["municipality"] = forms.ModelChoiceField(
                queryset=Municipality.objects.order_by(collated("name")),
                label=_("Kommune"),
                empty_label=_("Vælg kommune"),
                error_messages={"required": _("Vælg kommunen, tilbuddet hører under.")},
            )
            self.order_fields(["municipality", "name"])
        # Who runs the facility follows its name and kind.
        names = [*self.fields]
        self.order_fields([*names[: names.index("kind") + 1], "operator_kind"])

    def municipality_id(self) -> int | None:
        if self.fixed_municipality is not None:
            return self.fixed_municipality.pk
        chosen = self.cleaned_data.get("municipality")
        return chosen.pk if chosen is not None else None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # Onto the new facility before the model's own checks run (they follow ``clean``).
        municipality = self.fixed_municipality or data.get("municipality")
        if municipality is not None:
            self.instance.municipality = municipality
        if data.get("operator_kind"):
            self.instance.operator_kind = data["operator_kind"]
        return data


def facility_state(facility: Facility) -> dict[str, Any]:
    """The facility's facts as JSON-ready data: the audit log's before/after and the form's digest.
    Code lists by code, sorted, so the same facts give the same state."""
    state = snapshot(facility)
    if facility.pk is not None:
        state["legal_bases"] = sorted(facility.legal_bases.values_list("code", flat=True))
        state["target_groups"] = sorted(facility.target_groups.values_list("code", flat=True))
        state["methods"] = sorted(facility.methods.values_list("code", flat=True))
    return state


def facility_state_digest(facility: Facility) -> str:
    return state_digest(facility_state(facility))


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
