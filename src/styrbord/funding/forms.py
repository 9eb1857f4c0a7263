"""Forms for finance officers: pools, grants with budget lines, appropriations with lines, postings,
reversals and corrections, and charging a booking to grants."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from styrbord.funding.models import Appropriation, AppropriationLine, Grant, LedgerEntry, Pool, ReportingDeadline
from styrbord.funding.services.setup import appropriation_line_problems, pool_state
from styrbord.lib.costs import REFUND_CATEGORIES, CostCategory
from styrbord.lib.fields import CalendarDateFormField, state_digest
from styrbord.lib.filtering import apply_choices
from styrbord.lib.formatting import format_date, format_ore
from styrbord.lib.money import ZERO, MoneyInput, money_form_field, money_formfield_callback, to_money
from styrbord.organisations.models import Facility, Grantor, Municipality

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

# The first choice of a select in a formset row: a row the user leaves alone then submits nothing
# and is skipped, instead of counting as filled in with the first real choice.
BLANK_CHOICE = ("", "---------")

# A reporting deadline this long after the pool's period ends is a typing error, not a duty.
DEADLINE_YEARS_AFTER_PERIOD = 2

POOL_MONEY_FIELDS = ("ceiling_per_person_year", "ceiling_per_booking", "budget_change_amount", "repayment_waiver_limit")


def _money(label: Any, **kwargs: Any) -> forms.DecimalField:
    """A kroner box that shows the amounts it is given with thousands dots ("100.000,00")."""
    return money_form_field(label, widget=MoneyInput(), **kwargs)


class PoolForm(forms.ModelForm):
    eligible_categories = forms.MultipleChoiceField(
        label=_("Støtteberettigede udgifter"),
        choices=[
            (c.value, c.label) for c in CostCategory if c not in (CostCategory.VEU_REFUND, CostCategory.OTHER_REFUND)
        ],
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Refusioner (VEU-godtgørelse m.fl.) følger den udgift, de refunderer."),
    )
    total = _money(_("Samlet beløb"))

    class Meta:
        model = Pool
        formfield_callback = money_formfield_callback
        fields = [
            "name",
            "grantor",
            "municipality",
            "case_number",
            "kind",
            "total",
            "period_start",
            "period_end",
            "purpose",
            "eligible_categories",
            "co_financing_share",
            "ceiling_per_person_year",
            "ceiling_per_booking",
            "conditions",
            "budget_change_percent",
            "budget_change_amount",
            "repayment_waiver_limit",
        ]
        widgets = {
            "period_start": DATE,
            "period_end": DATE,
            "purpose": forms.Textarea(attrs={"rows": 3}),
            **{name: MoneyInput() for name in POOL_MONEY_FIELDS},
        }

    def __init__(
        self, *args: Any, municipalities: QuerySet[Municipality], require_municipality: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["municipality"]
        field.queryset = municipalities  # type: ignore[attr-defined]
        if require_municipality:
            # Without it the pool would lie outside the user's own scope: saved, and then not found.
            field.required = True
            only = list(municipalities[:2])
            if len(only) == 1 and not self.instance.pk:
                field.initial = only[0].pk
        self.fields["grantor"].queryset = Grantor.objects.all()  # type: ignore[attr-defined]
        for name in ("co_financing_share", "ceiling_per_person_year", "ceiling_per_booking", "budget_change_percent"):
            self.fields[name].localize = True
            self.fields[name].widget.is_localized = True

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("Perioden skal slutte efter, den begynder."))
        return data


class DeadlineForm(forms.Form):
    kind = forms.ChoiceField(label=_("Rapport"), choices=[BLANK_CHOICE, *ReportingDeadline.Kind.choices])
    due_date = CalendarDateFormField(label=_("Frist"), widget=DATE)


class DeadlinePeriodCheck:
    """For a formset of reporting deadlines: ``check_period`` against the pool's period."""

    def check_period(self, start: dt.date | None, end: dt.date | None) -> bool:
        """Refuse a deadline before the pool's period begins or years after it ends (the row's own
        error, so the page names the row). Whether every deadline checked is inside."""
        if start is None or end is None:
            return True
        latest = _years_later(end, DEADLINE_YEARS_AFTER_PERIOD)
        ok = True
        for form in cast(Any, self).forms:  # a formset's
            cleaned = getattr(form, "cleaned_data", {})
            due = cleaned.get("due_date")
            if due is None or cleaned.get("DELETE"):
                continue
            if due < start:
                form.add_error(
                    "due_date",
                    _("Fristen %(due)s ligger før puljens periode, som begynder %(start)s.")
                    % {"due": format_date(due), "start": format_date(start)},
                )
                ok = False
            elif due > latest:
                form.add_error(
                    "due_date",
                    _("Fristen %(due)s ligger mere end %(years)s år efter puljens periode, som slutter %(end)s.")
                    % {"due": format_date(due), "years": DEADLINE_YEARS_AFTER_PERIOD, "end": format_date(end)},
                )
                ok = False
        return ok


class BaseDeadlineFormSet(DeadlinePeriodCheck, forms.BaseFormSet):  # type: ignore[type-arg]
    pass


class BaseDeadlineEditFormSet(DeadlinePeriodCheck, forms.BaseModelFormSet):  # type: ignore[type-arg]
    """A pool's open deadlines (change the date, or delete) and new ones."""


DeadlineEditFormSet = cast(
    "type[BaseDeadlineEditFormSet]",
    forms.modelformset_factory(
        ReportingDeadline,
        fields=["kind", "due_date"],
        formset=BaseDeadlineEditFormSet,
        extra=2,
        max_num=20,
        can_delete=True,
        field_classes={"due_date": CalendarDateFormField},
        widgets={"due_date": DATE},
        labels={"kind": _("Rapport"), "due_date": _("Frist")},  # type: ignore[dict-item]
    ),
)


class PoolEditForm(forms.ModelForm):
    """A pool's facts that may change after it is registered: its name, case number, total (never
    below what it has granted), purpose and conditions. Its period, rules and shares decide how
    money already posted was charged, and are kept as registered.

    ``state`` carries the pool as the form was opened; saving over someone else's change is
    refused (``changed_since_opened``)."""

    total = _money(_("Samlet beløb"))
    state = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Pool
        formfield_callback = money_formfield_callback
        fields = ["name", "case_number", "total", "purpose", "conditions"]
        widgets = {"purpose": forms.Textarea(attrs={"rows": 3}), "conditions": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial["state"] = state_digest(pool_state(self.instance))

    def changed_since_opened(self) -> bool:
        """Whether the pool as stored now differs from the one the form was opened with."""
        return str(self.data.get(self.add_prefix("state"), "")) != self.initial["state"]


def _years_later(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


DeadlineFormSet = cast(
    "type[BaseDeadlineFormSet]",
    forms.formset_factory(DeadlineForm, formset=BaseDeadlineFormSet, extra=4, max_num=20),
)


class GrantForm(forms.ModelForm):
    amount = _money(_("Tilsagnsbeløb"))

    class Meta:
        model = Grant
        fields = ["facility", "municipality", "title", "amount", "status", "case_number", "approved_on"]
        widgets = {"approved_on": DATE}

    def __init__(
        self, *args: Any, facilities: QuerySet[Facility], municipalities: QuerySet[Municipality], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["facility"].queryset = facilities  # type: ignore[attr-defined]
        self.fields["municipality"].queryset = municipalities  # type: ignore[attr-defined]


def budget_categories(pool: Pool) -> list[CostCategory]:
    """The categories a grant from the pool can budget for: the spending the pool covers. A refund
    (VEU-godtgørelse, anden refusion) is income against a cost, not a budget line."""
    return [c for c in CostCategory if c not in REFUND_CATEGORIES and pool.covers(c)]


class BudgetLineForm(forms.Form):
    category = forms.ChoiceField(label=_("Udgiftsart"))
    year = forms.IntegerField(label=_("År"), min_value=2000, max_value=2100)
    amount = _money(_("Budget"), min_value=Decimal("0"))

    def __init__(self, *args: Any, pool: Pool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        categories = budget_categories(pool)
        field = self.fields["category"]
        field.choices = [BLANK_CHOICE, *((c.value, c.label) for c in categories)]  # type: ignore[attr-defined]
        field.error_messages["invalid_choice"] = _("Puljen dækker ikke den udgiftsart. Den dækker: %(categories)s.") % {
            "categories": ", ".join(str(c.label) for c in categories)
        }


class BaseBudgetLineFormSet(forms.BaseFormSet):  # type: ignore[type-arg]
    def clean(self) -> None:
        """A cost category has one line per year: a second one is an error on its row, naming the first."""
        super().clean()
        first_row: dict[tuple[str, int], int] = {}
        for number, form in enumerate(self.forms, start=1):
            data = getattr(form, "cleaned_data", None) or {}
            category, year = data.get("category"), data.get("year")
            if not category or year is None:
                continue
            if (category, year) in first_row:
                form.add_error(
                    "category",
                    _("%(category)s %(year)s står allerede i række %(row)s. Læg beløbene sammen i én række.")
                    % {"category": CostCategory(category).label, "year": year, "row": first_row[(category, year)]},
                )
            else:
                first_row[(category, year)] = number

    def lines_total(self) -> Decimal:
        """The sum of the filled-in rows (call after ``is_valid``)."""
        return to_money(sum((d["amount"] for d in self.cleaned_data if d.get("amount") is not None), ZERO))

    def check_total(self, amount: Decimal) -> bool:
        """Budget lines, if any, must sum to the grant: otherwise an error above the lines that gives
        both sums and the difference. Whether they do."""
        if not any(d.get("amount") is not None for d in self.cleaned_data):
            return True
        total = self.lines_total()
        if total == to_money(amount):
            return True
        self.non_form_errors().append(
            _("Budgetlinjerne summer til %(lines)s, men tilsagnet er på %(amount)s (forskel %(difference)s).")
            % {
                "lines": format_ore(total),
                "amount": format_ore(to_money(amount)),
                "difference": format_ore(abs(to_money(amount) - total)),
            }
        )
        return False


BudgetLineFormSet = cast(
    "type[BaseBudgetLineFormSet]",
    forms.formset_factory(BudgetLineForm, formset=BaseBudgetLineFormSet, extra=6, max_num=60),
)


class AppropriationForm(forms.ModelForm):
    class Meta:
        model = Appropriation
        formfield_callback = money_formfield_callback
        fields = [
            "title",
            "kind",
            "decision_body",
            "decision_date",
            "case_number",
            "decision",
            "budget_neutral",
            "pool",
        ]
        widgets = {"decision_date": DATE}

    def __init__(self, *args: Any, pools: QuerySet[Pool], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["pool"].queryset = pools  # type: ignore[attr-defined]


class AppropriationLineForm(forms.Form):
    year = forms.IntegerField(label=_("År"), min_value=2000, max_value=2100)
    # Blank first: a row left alone is skipped, not read as an income line with its boxes empty.
    direction = forms.ChoiceField(
        label=_("Indtægt/udgift"), choices=[BLANK_CHOICE, *AppropriationLine.Direction.choices]
    )
    amount = _money(_("Beløb"), min_value=Decimal("0"))
    grant = forms.ModelChoiceField(label=_("Tilsagn"), queryset=Grant.objects.none(), required=False)
    text = forms.CharField(label=_("Tekst"), max_length=300, required=False)

    def __init__(self, *args: Any, grants: QuerySet[Grant] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if grants is not None:
            self.fields["grant"].queryset = grants  # type: ignore[attr-defined]


class BaseAppropriationLineFormSet(forms.BaseFormSet):  # type: ignore[type-arg]
    def check_pool(self, pool: Pool | None) -> bool:
        """Each filled-in row against the appropriation's pool: its year within the pool's period, its
        grant one of the pool's (the row's own error, at the field, so the page names the row). Whether
        every row fits."""
        ok = True
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            for field, message in appropriation_line_problems(pool, data.get("year"), data.get("grant")).items():
                form.add_error(field, message)
                ok = False
        return ok


AppropriationLineFormSet = cast(
    "type[BaseAppropriationLineFormSet]",
    forms.formset_factory(AppropriationLineForm, formset=BaseAppropriationLineFormSet, extra=4, max_num=40),
)


class EntryForm(forms.Form):
    """A posting made by hand: a commitment, an actual cost, or income received."""

    KIND_CHOICES = [
        ("commitment", _("Disponering")),
        ("planned", _("Planlagt udgift (prognose)")),
        ("actual", _("Bogført udgift")),
        ("income", _("Indtægt fra tilskudsgiver")),
    ]
    kind = forms.ChoiceField(label=_("Type"), choices=KIND_CHOICES)
    category = forms.ChoiceField(label=_("Udgiftsart"), choices=[("", "—"), *CostCategory.choices], required=False)
    amount = _money(_("Beløb"))
    posted_on = CalendarDateFormField(label=_("Dato"), widget=DATE)
    text = forms.CharField(label=_("Tekst"), max_length=300, required=False)
    releases = forms.ModelChoiceField(
        label=_("Afløser disponering"),
        queryset=LedgerEntry.objects.none(),
        required=False,
        help_text=_("Vælg den åbne disponering, som bogføringen erstatter."),
    )

    def __init__(self, *args: Any, open_commitments: QuerySet[LedgerEntry] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if open_commitments is not None:
            self.fields["releases"].queryset = open_commitments  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        amount = data.get("amount")
        refund = data.get("kind") != "income" and data.get("category") in REFUND_CATEGORIES
        # The ledger is append-only: a wrong posting is reversed (with its own trail), not offset by
        # one of the opposite sign. A refund is a negative cost, as the ledger shows it.
        if amount is not None and refund and amount >= 0:
            self.add_error("amount", _("En refusion bogføres som et negativt beløb, f.eks. -1.250,00."))
        elif amount is not None and not refund and amount <= 0:
            self.add_error(
                "amount", _("Beløbet skal være større end 0. En forkert postering rettes ved at tilbageføre den.")
            )
        if data.get("kind") != "income" and not data.get("category"):
            self.add_error("category", _("Vælg udgiftsarten."))
        if data.get("releases") and data.get("kind") != "actual":
            self.add_error("releases", _("Kun en bogført udgift kan afløse en disponering."))
        return data


class EntryFilterForm(forms.Form):
    """Which of a grant's postings to list: a year, a balance, a cost category (each optional)."""

    year = forms.TypedChoiceField(label=_("År"), coerce=int, required=False, empty_value=None)
    balance = forms.ChoiceField(label=_("Saldo"), required=False)
    category = forms.ChoiceField(label=_("Udgiftsart"), required=False)

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        everything = [("", _("Alle"))]
        self.fields["year"].choices = everything + [(str(y), str(y)) for y in years]  # type: ignore[attr-defined]
        self.fields["balance"].choices = everything + list(LedgerEntry.Balance.choices)  # type: ignore[attr-defined]
        self.fields["category"].choices = everything + list(CostCategory.choices)  # type: ignore[attr-defined]

    def apply(self, entries: QuerySet[LedgerEntry]) -> QuerySet[LedgerEntry]:
        """The entries the valid choices keep (all of them for an unbound or invalid form)."""
        if not self.is_bound or not self.is_valid():
            return entries
        return apply_choices(
            entries, self.cleaned_data, {"year": "posted_on__year", "balance": "balance", "category": "category"}
        )

    @property
    def active(self) -> bool:
        return self.is_bound and self.is_valid() and any(self.cleaned_data.values())


class ReverseForm(forms.Form):
    reason = forms.CharField(label=_("Begrundelse"), max_length=200)


class CorrectForm(forms.Form):
    new_amount = _money(_("Korrekt beløb"))
    reason = forms.CharField(label=_("Begrundelse"), max_length=200)


class ChargeForm(forms.Form):
    """Split a booking over up to three grants by share (the rest is the facility's own budget)."""

    SLOTS = 3
    skip_ineligible = forms.BooleanField(label=_("Lad udgifter, som en pulje ikke dækker, stå udækket"), required=False)

    def __init__(
        self,
        *args: Any,
        grants: QuerySet[Grant],
        initial_splits: list[tuple[Grant, Decimal]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        initial_splits = initial_splits or []
        for i in range(1, self.SLOTS + 1):
            grant, share = initial_splits[i - 1] if i <= len(initial_splits) else (None, None)
            self.fields[f"grant_{i}"] = forms.ModelChoiceField(
                label=_("Tilsagn %(n)s") % {"n": i}, queryset=grants, required=i == 1, initial=grant
            )
            self.fields[f"share_{i}"] = forms.DecimalField(
                label=_("Andel (%%) %(n)s") % {"n": i},
                max_digits=5,
                decimal_places=2,
                min_value=Decimal("0.01"),
                max_value=Decimal("100"),
                required=i == 1,
                localize=True,
                initial=share if share is not None else (Decimal("100") if i == 1 else None),
            )

    def splits(self) -> list[tuple[Grant, Decimal]]:
        result = []
        for i in range(1, self.SLOTS + 1):
            grant, share = self.cleaned_data.get(f"grant_{i}"), self.cleaned_data.get(f"share_{i}")
            if grant is not None and share:
                result.append((grant, share))
        return result

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for i in range(2, self.SLOTS + 1):
            if bool(data.get(f"grant_{i}")) != bool(data.get(f"share_{i}")):
                self.add_error(f"share_{i}", _("Angiv både tilsagn og andel, eller ingen af dem."))
        return data


class PostActualsForm(forms.Form):
    posted_on = CalendarDateFormField(
        label=_("Bogføringsdato"), widget=DATE, required=False, help_text=_("Tom: kursusdatoen.")
    )


def today_initial() -> dict[str, dt.date]:
    from styrbord.lib.dates import local_today

    return {"posted_on": local_today()}
