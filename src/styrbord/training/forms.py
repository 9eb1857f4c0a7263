"""Forms of the training pages; each cleans into domain objects."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Q, QuerySet
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from styrbord.competences.models import Competence
from styrbord.lib.collation import collated
from styrbord.lib.dates import EARLIEST, LATEST, in_calendar
from styrbord.lib.fields import CalendarDateFormField
from styrbord.lib.formatting import format_date, format_number, parse_decimal
from styrbord.lib.money import MAX_DIGITS, DanishDecimalFormField, money_form_field
from styrbord.organisations.models import Facility, Municipality
from styrbord.staff.models import Employment, JobGroup
from styrbord.training.models import (
    BookingStatus,
    Course,
    CourseCompetence,
    Initiative,
    InitiativeYear,
    Provider,
    Session,
)


class EmploymentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Employment) -> str:  # type: ignore[override]
        return f"{obj.employee.name} – {obj.facility.name} ({obj.get_job_group_display()})"


def _book_status_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        label=_("Status"),
        choices=[(BookingStatus.PLANNED, _("Planlagt")), (BookingStatus.BOOKED, _("Tilmeldt"))],
        initial=BookingStatus.BOOKED,
    )


def _only_booked_once_begun(form: forms.Form, begun: bool) -> None:
    """Once the session has begun a seat can be booked (a late registration), not planned."""
    if not begun:
        return
    field = form.fields["status"]
    field.choices = [(BookingStatus.BOOKED, _("Tilmeldt"))]  # type: ignore[attr-defined]
    field.help_text = _("Holdet er begyndt, så en plads kan kun tilmeldes, ikke planlægges.")
    field.error_messages["invalid_choice"] = _("Holdet er begyndt, så en plads kan ikke længere planlægges.")


class ConfirmsTheWarningShown:
    """The hidden confirmation of an understaffing warning holds a key of the choices the warning
    was shown for, so "Book alligevel" confirms those and nothing else: tick other people (or
    other days) after the warning, and the check runs again. ``CONFIRMS`` names the fields."""

    CONFIRMS: tuple[str, ...] = ()
    cleaned_data: dict[str, Any]

    def confirmation_key(self) -> str:
        parts: list[Any] = []
        for name in self.CONFIRMS:
            value = self.cleaned_data.get(name)
            if isinstance(value, (list, tuple, QuerySet)):
                parts.append(sorted(str(getattr(v, "pk", v)) for v in value))
            else:
                parts.append(str(getattr(value, "pk", value)))
        return hashlib.sha256(json.dumps(parts).encode()).hexdigest()[:20]

    @property
    def understaffing_confirmed(self) -> bool:
        given = self.cleaned_data.get("confirm_understaffing") or ""
        return bool(given) and hmac.compare_digest(given, self.confirmation_key())


class BookForm(ConfirmsTheWarningShown, forms.Form):
    """Book one of the user's staff on a session."""

    CONFIRMS = ("employment",)

    employment = EmploymentChoiceField(queryset=Employment.objects.none(), label=_("Medarbejder"))
    status = _book_status_field()
    travel_amount = money_form_field(_("Transport (kr.)"), required=False, min_value=Decimal("0"))
    materials_amount = money_form_field(_("Materialer (kr.)"), required=False, min_value=Decimal("0"))
    note = forms.CharField(label=_("Bemærkning"), max_length=300, required=False)
    confirm_understaffing = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)

    def __init__(
        self, *args: Any, employments: QuerySet[Employment], on: dt.date | None, begun: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        _only_booked_once_begun(self, begun)
        qs = employments.exclude(status=Employment.Status.ENDED).select_related("employee", "facility")
        if on is not None:
            qs = qs.filter(start_date__lte=on).filter(Q(end_date__isnull=True) | Q(end_date__gte=on))
        self.fields["employment"].queryset = qs.order_by(collated("facility__name"), collated("employee__name"))  # type: ignore[attr-defined]


class GroupBookForm(ConfirmsTheWarningShown, forms.Form):
    """Book several of the user's staff on a session at once (all or none)."""

    CONFIRMS = ("employments", "status")

    employments = forms.ModelMultipleChoiceField(
        queryset=Employment.objects.none(),
        label=_("Medarbejdere"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Vælg mindst én medarbejder.")},
    )
    status = _book_status_field()
    confirm_understaffing = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)

    def __init__(
        self,
        *args: Any,
        employments: QuerySet[Employment],
        on: dt.date | None,
        booked: QuerySet[Any],
        until: dt.date | None = None,
        begun: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        _only_booked_once_begun(self, begun)
        qs = employments.exclude(status=Employment.Status.ENDED).exclude(employee_id__in=booked)
        if on is not None:
            # In force from the session's first day through its last, as booking requires: someone
            # who has resigned before the course is over is not offered (nor ticked from a gap list).
            last = until or on
            qs = qs.filter(start_date__lte=on).filter(Q(end_date__isnull=True) | Q(end_date__gte=last))
        self.fields["employments"].queryset = qs.select_related("employee", "facility").order_by(  # type: ignore[attr-defined]
            collated("facility__name"), collated("employee__name"), "pk"
        )


class BookingFilterForm(forms.Form):
    """Which bookings the booking list shows: a status, a facility, sessions from a date, a course."""

    status = forms.ChoiceField(label=_("Status"), required=False)
    facility = forms.ModelChoiceField(
        queryset=Facility.objects.none(),
        label=pgettext_lazy("one facility", "Tilbud"),
        required=False,
        empty_label=_("Alle"),
    )
    fra = CalendarDateFormField(label=_("Hold fra"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    q = forms.CharField(label=_("Kursus"), required=False, max_length=100)
    ophoer = forms.BooleanField(label=_("Kun efter ansættelsens ophør"), required=False)
    afholdt = forms.BooleanField(label=_("Kun afholdte hold, hvor deltagelsen mangler"), required=False)
    begyndt = forms.BooleanField(label=_("Kun planlagte på hold, der er begyndt"), required=False)

    def __init__(self, *args: Any, facilities: QuerySet[Facility], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("Alle")), *BookingStatus.choices]  # type: ignore[attr-defined]
        self.fields["facility"].queryset = facilities.order_by(collated("name"))  # type: ignore[attr-defined]


class OwnBookingFilterForm(forms.Form):
    """Which of their own bookings an employee's booking list shows: by default the coming ones
    (what "Mine kurser" lists first), or all, or one status; and a course."""

    COMING, ALL = "", "alle"

    status = forms.ChoiceField(label=_("Vis"), required=False)
    q = forms.CharField(label=_("Kursus"), required=False, max_length=100)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [  # type: ignore[attr-defined]
            (self.COMING, _("Kommende")),
            (self.ALL, _("Alle, også tidligere")),
            *BookingStatus.choices,
        ]


class AttendanceForm(forms.Form):
    """The attendance register of a session: one choice per open booking (and its version, so a
    booking changed by someone else since the page was shown is not overwritten)."""

    LABELS = {
        "completed": _("Gennemført"),
        "incomplete": _("Deltaget, ikke gennemført"),
        "attended": _("Deltaget (kurset er i gang)"),
        "no_show": _("Udeblevet"),
    }

    def __init__(self, *args: Any, bookings: Sequence[Any], outcomes: Mapping[int, list[str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.bookings = list(bookings)
        for booking in self.bookings:
            allowed = outcomes[booking.pk]
            field = forms.ChoiceField(
                label=booking.employee.name,
                choices=[("", _("Uændret")), *((o, self.LABELS[o]) for o in allowed)],
                required=False,
                # After the last day, completion is what usually happened: the coordinator changes the exceptions.
                initial="completed" if "completed" in allowed else "",
            )
            self.fields[f"outcome_{booking.pk}"] = field
            self.fields[f"version_{booking.pk}"] = forms.IntegerField(
                widget=forms.HiddenInput, initial=booking.version, min_value=0
            )

    def rows(self) -> list[tuple[Any, forms.BoundField, forms.BoundField]]:
        return [(b, self[f"outcome_{b.pk}"], self[f"version_{b.pk}"]) for b in self.bookings]

    def outcomes(self) -> dict[int, tuple[str, int | None]]:
        """The chosen outcomes, ``{booking pk: (outcome, version)}``; unchanged rows are left out."""
        data = self.cleaned_data
        return {
            b.pk: (data[f"outcome_{b.pk}"], data.get(f"version_{b.pk}"))
            for b in self.bookings
            if data.get(f"outcome_{b.pk}")
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.bookings:  # all registered meanwhile (or a second submit): "Registreret for 0: ." said nothing
            raise forms.ValidationError(_("Der er ikke noget at registrere på holdet."))
        if not any(data.get(f"outcome_{b.pk}") for b in self.bookings):
            raise forms.ValidationError(_("Vælg, hvad der skal registreres, for mindst én deltager."))
        return data


class InterestForm(forms.Form):
    note = forms.CharField(label=_("Bemærkning"), max_length=300, required=False)


class AbsenceFilterForm(forms.Form):
    """Facility and month (YYYY-MM) of the absence view."""

    facility = forms.ModelChoiceField(queryset=Facility.objects.none(), label=pgettext_lazy("one facility", "Tilbud"))
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

    facility = forms.ModelChoiceField(
        queryset=Facility.objects.none(), label=pgettext_lazy("one facility", "Tilbud"), required=False
    )
    contact_staff_only = forms.BooleanField(label=_("Kun kontaktpersoner"), required=False, initial=True)
    hours = DanishDecimalFormField(
        label=_("Timer pr. kursusdag"),
        min_value=Decimal("0.5"),
        max_value=Decimal("24"),
        decimal_places=2,
        initial=Decimal("7.40"),
        localize=True,  # "7,4" as Danes write it
        widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 6}),
    )
    day = CalendarDateFormField(label=_("Dato"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args: Any, facilities: QuerySet[Facility], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["facility"].queryset = facilities  # type: ignore[attr-defined]


class SessionForm(forms.Form):
    """A new session: its days one per line ("2026-03-02" or "02-03-2026", optionally hours "7,4")."""

    name = forms.CharField(label=_("Holdbetegnelse"), max_length=200, required=False)
    place = forms.CharField(label=_("Sted"), max_length=200, required=False)
    capacity = forms.IntegerField(label=_("Pladser"), min_value=1, initial=20)
    fee_per_participant = money_form_field(
        _("Pris pr. deltager ekskl. moms (tom = kursets pris)"), required=False, min_value=Decimal("0")
    )
    days = forms.CharField(
        label=_("Kursusdage"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_('Én dag pr. linje: dato og evt. timer, f.eks. "02-03-2026 7,4". Standard er 7,4 timer.'),
    )

    def clean_days(self) -> list[tuple[dt.date, Decimal]]:
        """Every line checked, and every bad one named at once (not only the first)."""
        days: dict[dt.date, Decimal] = {}
        problems: list[str] = []
        for number, raw in enumerate(self.cleaned_data["days"].splitlines(), start=1):
            line = raw.strip()
            if not line:
                continue
            problem, day, hours = _day_line(number, line.split())
            if problem is None and day in days:
                problem = _("Linje %(line)s: datoen står der allerede.") % {"line": number}
            if problem is not None:
                problems.append(problem)
            elif day is not None:
                days[day] = hours
        if problems:
            raise forms.ValidationError(problems)
        if not days:
            raise forms.ValidationError(_("Angiv mindst én kursusdag."))
        return sorted(days.items())


class SessionChangeForm(ConfirmsTheWarningShown, SessionForm):
    """A session's details changed: the same fields as a new session, filled in from it."""

    CONFIRMS = ("days",)

    # Set once the understaffing the new days cause has been shown (as when booking).
    confirm_understaffing = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)

    @classmethod
    def initial_for(cls, session: Session) -> dict[str, Any]:
        days = session.days.order_by("date").values_list("date", "hours")
        return {
            "name": session.name,
            "place": session.place,
            "capacity": session.capacity,
            "fee_per_participant": session.fee_per_participant,
            "days": "\n".join(
                # The box's own format, in any language: "02-03-2026 6,5".
                format_date(day, "da") + ("" if hours == Decimal("7.40") else " " + format_number(hours, 2, "da"))
                for day, hours in days
            ),
        }


class SessionCancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Begrundelse"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_('F.eks. "Udbyderen aflyste holdet pga. for få tilmeldte." Står i loggen og på holdets side.'),
    )


def _day_line(number: int, parts: list[str]) -> tuple[str | None, dt.date | None, Decimal]:
    """One line of the days box: (what is wrong or None, the day, its hours)."""
    hours = Decimal("7.40")
    day = _parse_day(parts[0])
    if day is None:
        return (
            _("Linje %(line)s: %(value)s er ikke en dato (ÅÅÅÅ-MM-DD eller DD-MM-ÅÅÅÅ).")
            % {"line": number, "value": parts[0]},
            None,
            hours,
        )
    if not in_calendar(day):
        return (
            _("Linje %(line)s: datoen skal ligge mellem %(earliest)s og %(latest)s.")
            % {"line": number, "earliest": format_date(EARLIEST), "latest": format_date(LATEST)},
            None,
            hours,
        )
    if len(parts) > 1:
        try:
            hours = parse_decimal(parts[1])  # a Danish number; "NaN" and "Infinity" are refused
        except ValueError:
            hours = Decimal("-1")
        if not Decimal("0") < hours <= Decimal("24"):
            return _("Linje %(line)s: timer skal være mellem 0 og 24.") % {"line": number}, None, hours
    return None, day, hours


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
        fields = ["name", "description", "municipality", "source", "financing"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3}), "financing": forms.Textarea(attrs={"rows": 3})}

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


class DanishDecimalInput(forms.TextInput):
    """A text box that shows a stored amount the Danish way ("2.400,00"; "2,400.00" in English)."""

    def __init__(self, places: int, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"inputmode": "decimal", "size": 12, **(attrs or {})})
        self.places = places

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, Decimal | int) and not isinstance(value, bool):
            return format_number(value, self.places)
        return super().format_value(value)


class DanishDecimalField(DanishDecimalFormField):
    """A decimal typed as Danes write it: "2.400,00", "2400,5", "7,4" (and "7.4" or "2,400.00").

    Every message names the field, so a summary at the top of the page says where the problem is.
    """

    def __init__(self, *, label: Any, places: int = 2, max_digits: int = MAX_DIGITS, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", Decimal("0"))
        super().__init__(
            label=label, max_digits=max_digits, decimal_places=places, widget=DanishDecimalInput(places), **kwargs
        )
        self.places = places

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        try:
            return super().to_python(value)
        except forms.ValidationError:
            raise forms.ValidationError(
                _("%(field)s: »%(value)s« er ikke et tal. Skriv f.eks. 2.400,00 eller 7,4."),
                code="invalid",
                params={"field": self.label, "value": value},
            ) from None

    def validate(self, value: Decimal | None) -> None:
        if value is None and self.required:
            raise forms.ValidationError(_("%(field)s skal udfyldes."), code="required", params={"field": self.label})

    def run_validators(self, value: Decimal | None) -> None:
        if value is None:
            return
        minimum, maximum = cast(Decimal | None, self.min_value), cast(Decimal | None, self.max_value)
        if minimum is not None and value < minimum:
            raise forms.ValidationError(
                _("%(field)s kan ikke være under %(min)s."),
                code="min_value",
                params={"field": self.label, "min": format_number(minimum, self.places if minimum % 1 else 0)},
            )
        if maximum is not None and value > maximum:
            raise forms.ValidationError(
                _("%(field)s kan højst være %(max)s."),
                code="max_value",
                params={"field": self.label, "max": format_number(maximum, self.places)},
            )
        if abs(value) >= Decimal(10) ** (self.max_digits - self.places):  # type: ignore[operator]
            raise forms.ValidationError(_("%(field)s er for stort."), code="max_digits", params={"field": self.label})
        if value != value.quantize(Decimal(1).scaleb(-self.places)):
            raise forms.ValidationError(
                _("%(field)s kan højst have %(places)s decimaler."),
                code="max_decimal_places",
                params={"field": self.label, "places": self.places},
            )

    def clean(self, value: Any) -> Decimal | None:
        result = super().clean(value)
        if result is not None:
            result = result.quantize(Decimal(1).scaleb(-self.places))
        return result


class NamedErrorsMixin:
    """Every error of the form as one line that says which field it is about, for the summary at the top."""

    def error_summary(self) -> list[str]:
        lines: list[str] = []
        for name, errors in self.errors.items():  # type: ignore[attr-defined]
            label = str(self.fields[name].label) if name in self.fields else ""  # type: ignore[attr-defined]
            for error in errors:
                text = str(error)
                lines.append(text if not label or text.lower().startswith(label.lower()) else f"{label}: {text}")
        return lines


class ProviderForm(NamedErrorsMixin, forms.ModelForm):
    """A course provider: name, kind, CVR number, website and e-mail."""

    cvr = forms.CharField(
        label=_("CVR-nummer"),
        max_length=20,  # "DK 31 63 61 32" is cleaned to 8 digits below
        required=False,
        help_text=_("8 cifre, f.eks. 31636132. Mellemrum er tilladt."),
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    website = forms.URLField(
        label=_("Hjemmeside"),
        required=False,
        assume_scheme="https",
        error_messages={"invalid": _("Hjemmeside: skriv en hel adresse, f.eks. https://www.via.dk.")},
    )

    class Meta:
        model = Provider
        fields = ["name", "kind", "cvr", "website", "email"]
        error_messages = {
            "name": {"unique": _("Der findes allerede en udbyder med det navn.")},
            "email": {"invalid": _("E-mail: skriv en gyldig e-mailadresse, f.eks. kurser@via.dk.")},
        }

    def clean_cvr(self) -> str:
        value = re.sub(r"[\s-]", "", self.cleaned_data.get("cvr") or "")
        if value.upper().startswith("DK"):
            value = value[2:]
        if value and not re.fullmatch(r"\d{8}", value):
            raise forms.ValidationError(
                _("CVR-nummer: »%(value)s« er ikke 8 cifre."), params={"value": self.cleaned_data.get("cvr")}
            )
        if value.startswith("0"):
            raise forms.ValidationError(_("CVR-nummer: et CVR-nummer begynder ikke med 0."))
        return value


class CompetenceMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Competence) -> str:  # type: ignore[override]
        return obj.name


class CourseForm(NamedErrorsMixin, forms.ModelForm):
    """A course in the catalogue with its price, duration, prerequisites and target job groups."""

    code = forms.SlugField(
        label=_("Kode"),
        max_length=60,
        required=False,
        help_text=_("Kort entydig kode, f.eks. krap-grund. Tom: laves af navnet."),
        error_messages={"invalid": _("Kode: brug kun små bogstaver, tal og bindestreg, f.eks. krap-grund.")},
    )
    ects = DanishDecimalField(
        label=_("ECTS-point"),
        places=1,
        max_digits=4,
        required=False,
        min_value=Decimal("0.5"),
        help_text=_("Kun for diplommoduler, typisk 5 eller 10."),
    )
    duration_hours = DanishDecimalField(
        label=_("Varighed (timer)"),
        places=2,
        max_digits=6,
        min_value=Decimal("0.5"),
        initial=Decimal("7.40"),
        help_text=_("Hele forløbet, alle dage tilsammen: f.eks. 88,8 for 12 dage à 7,4 timer."),
    )
    fee_per_participant = DanishDecimalField(
        label=_("Pris pr. deltager (ekskl. moms)"),
        initial=Decimal("0"),
        help_text=_("Hele forløbet, ekskl. moms. Skriv f.eks. 2.400,00."),
    )
    fee_per_inhouse_day = DanishDecimalField(
        label=_("Pris pr. internt kursusdag (ekskl. moms)"),
        initial=Decimal("0"),
        help_text=_("Samlet pris for en dag for hele holdet, fordeles ligeligt på deltagerne."),
    )
    prerequisites = CompetenceMultipleChoiceField(
        label=_("Forudsætninger"),
        queryset=Competence.objects.order_by(collated("name")),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Kompetencer deltageren skal have, før kurset starter."),
    )
    target_job_groups = forms.MultipleChoiceField(
        label=_("Målgruppe (faggrupper)"),
        choices=JobGroup.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Ingen valgt betyder alle faggrupper."),
    )

    class Meta:
        model = Course
        fields = [
            "kind",
            "provider",
            "name",
            "code",
            "description",
            "amu_number",
            "ects",
            "duration_days",
            "duration_hours",
            "fee_per_participant",
            "fee_per_inhouse_day",
            "vat_liable",
            "veu_eligible",
            "prerequisites",
            "target_job_groups",
            "active",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        error_messages = {
            "duration_days": {
                "invalid": _("Varighed (dage): skriv et helt antal dage."),
                "min_value": _("Varighed (dage) skal være mindst 1."),
            },
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = Provider.objects.order_by(collated("name"))  # type: ignore[attr-defined]
        days = self.fields["duration_days"]
        days.validators.append(MinValueValidator(1, message=_("Varighed (dage) skal være mindst 1.")))
        days.widget.attrs.update({"min": 1})
        for name in ("kind", "provider", "name", "duration_days"):
            self.fields[name].error_messages["required"] = _("%(field)s skal udfyldes.") % {
                "field": self.fields[name].label
            }

    def clean_code(self) -> str:
        code: str = self.cleaned_data.get("code") or slugify(self.cleaned_data.get("name") or "")[:60]
        taken = Course.objects.filter(code=code).exclude(pk=self.instance.pk).first()
        if taken is not None:
            raise forms.ValidationError(
                _("Kode: »%(code)s« bruges allerede af kurset %(course)s."), params={"code": code, "course": taken.name}
            )
        return code

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("code") and data.get("name") and "code" not in self.errors:
            self.add_error("code", _("Kode skal udfyldes (navnet giver ingen kode)."))
        kind, ects = data.get("kind"), data.get("ects")
        if kind == Course.Kind.DIPLOMA_MODULE and ects is None:
            self.add_error("ects", _("ECTS-point skal udfyldes for et diplommodul."))
        if kind and kind != Course.Kind.DIPLOMA_MODULE and ects is not None:
            self.add_error("ects", _("ECTS-point gives kun for diplommoduler."))
        days, hours = data.get("duration_days"), data.get("duration_hours")
        if days and hours is not None and hours > days * 24:
            self.add_error(
                "duration_hours",
                _("Varighed (timer): %(hours)s timer er mere end 24 timer pr. dag i %(days)s dage.")
                % {"hours": format_number(hours, 1), "days": days},
            )
        elif days and days > 1 and hours is not None and hours < days:
            # The prefilled 7,40 left as it was for a 12-day education: "12 dage, 7,4 timer".
            self.add_error(
                "duration_hours",
                _(
                    "Varighed (timer) er hele forløbets timer: %(hours)s timer på %(days)s dage er under en time "
                    "om dagen. Skriv f.eks. %(example)s (%(days)s × 7,4)."
                )
                % {"hours": format_number(hours, 1), "days": days, "example": format_number(days * Decimal("7.4"), 1)},
            )
        return data


class CourseCompetenceForm(forms.ModelForm):
    """A competence the course grants, and for how many months (empty: the competence's own validity)."""

    class Meta:
        model = CourseCompetence
        fields = ["competence", "validity_months"]
        error_messages = {
            "validity_months": {"invalid": _("Gyldighed (måneder): skriv et helt antal måneder.")},
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["competence"].queryset = Competence.objects.order_by(collated("name"))  # type: ignore[attr-defined]
        months = self.fields["validity_months"]
        months.widget.attrs.update({"min": 1, "max": 240})
        months.validators += [
            MinValueValidator(1, message=_("Gyldighed (måneder) skal være mellem 1 og 240.")),
            MaxValueValidator(240, message=_("Gyldighed (måneder) skal være mellem 1 og 240.")),
        ]


class BaseCourseCompetenceFormSet(forms.BaseInlineFormSet):
    def clean(self) -> None:
        # Before Django's own unique check, so a repeated competence gets the plain Danish message.
        seen: set[int] = set()
        for form in self.forms:
            if not getattr(form, "cleaned_data", None) or form.cleaned_data.get("DELETE"):
                continue
            competence = form.cleaned_data.get("competence")
            if competence is None:
                continue
            if competence.pk in seen:
                raise forms.ValidationError(_("Kompetencen %(name)s står der to gange.") % {"name": competence.name})
            seen.add(competence.pk)
        super().clean()


def granted_competences(formset: forms.BaseFormSet) -> set[int]:  # type: ignore[type-arg]
    """The competences a valid grants formset keeps (deleted rows left out)."""
    return {
        f.cleaned_data["competence"].pk
        for f in formset.forms
        if getattr(f, "cleaned_data", None) and f.cleaned_data.get("competence") and not f.cleaned_data.get("DELETE")
    }


CourseCompetenceFormSet = forms.inlineformset_factory(
    Course,
    CourseCompetence,
    form=CourseCompetenceForm,
    formset=BaseCourseCompetenceFormSet,
    extra=2,
    max_num=30,
    can_delete=True,
)
