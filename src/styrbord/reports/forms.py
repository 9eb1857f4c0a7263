"""Forms of the reports page: what document, about what, for which period; and a template upload."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _

from styrbord.accounts.permissions import LIST, scoped_for
from styrbord.lib.collation import collated
from styrbord.lib.dates import local_today
from styrbord.organisations.models import Municipality
from styrbord.reports.doctypes.base import (
    DocumentType,
    Period,
    PeriodError,
    ReportError,
    ScopeKind,
    all_types,
    get_type,
    option_fields,
)
from styrbord.reports.models import OutputFormat
from styrbord.reports.services import clean_options, covered_period, resolve_scope, scope_queryset

if TYPE_CHECKING:
    from styrbord.accounts.models import User


def allowed_types(user: User) -> list[DocumentType]:
    """The document types this user's role may make."""
    return [t for t in all_types() if user.is_superuser or t.allows(user.role)]


def scope_choices(user: User, doc_types: list[DocumentType]) -> list[tuple[str, list[tuple[str, str]]]]:
    """Grouped choices "kind:id" for every scope kind the user may use with any of these types."""
    kinds: list[ScopeKind] = []
    for doc_type in doc_types:
        for kind in doc_type.scope_kinds if user.is_superuser else doc_type.scope_kinds_for(user.role):
            if kind not in kinds:
                kinds.append(kind)
    groups = []
    for kind in kinds:
        options = [(f"{kind}:{obj.pk}", str(obj)) for obj in scope_queryset(user, kind)[:500]]
        if options:
            groups.append((str(kind.label), options))
    return groups


def appropriation_choices(user: User) -> list[tuple[str, list[tuple[str, str]]]]:
    """The supplementary appropriations of the pools the user may write about, grouped by pool: for a
    pool with several, which one a release document is about."""
    from styrbord.funding.models import Appropriation

    pools = scope_queryset(user, ScopeKind.POOL)
    appropriations = scoped_for(
        user,
        LIST,
        "appropriation",
        Appropriation.objects.filter(pool__in=pools, kind=Appropriation.Kind.SUPPLEMENTARY).select_related("pool"),
    ).order_by(collated("pool__name"), "pool_id", "decision_date", "id")
    groups: dict[int, tuple[str, list[tuple[str, str]]]] = {}
    for appropriation in appropriations[:500]:  # filtered on the pool: each has one
        pool = appropriation.pool
        groups.setdefault(pool.pk, (str(pool), []))[1].append((str(appropriation.pk), str(appropriation)))  # type: ignore[union-attr]
    return list(groups.values())


class ReportForm(forms.Form):
    """Choose a document type, a scope and a period (plus optional committee details)."""

    document_type = forms.ChoiceField(label=_("Dokument"))
    scope = forms.ChoiceField(label=_("Omfang"))
    period = forms.CharField(
        label=_("Periode"),
        max_length=30,
        required=False,  # may be left empty for an initiative or a release, which have their own years
        help_text=_(
            "Et år (2025), et spænd af år (2025-2027) eller to datoer (01-01-2025:30-06-2025). Et initiativ og en "
            "frigivelse af puljemidler gælder deres egne år: lad feltet stå tomt for at bruge dem."
        ),
    )
    case_number = forms.CharField(label=_("Sagsnummer"), max_length=40, required=False)
    committee = forms.CharField(label=_("Udvalg"), max_length=200, required=False)
    route = forms.CharField(label=_("Sagsgang"), max_length=100, required=False, help_text=_("F.eks. VPU, ØK, KB."))
    meeting_date = forms.CharField(
        label=_("Mødedato"), max_length=10, required=False, help_text=_("F.eks. 18-12-2024.")
    )
    recommender = forms.CharField(
        label=_("Indstiller"), max_length=100, required=False, help_text=_("F.eks. Velfærdsdirektøren.")
    )
    department = forms.CharField(label=_("Afsender"), max_length=200, required=False)
    appropriation = forms.ChoiceField(
        label=_("Tillægsbevilling"),
        required=False,
        help_text=_(
            "Frigivelse af puljemidler: den af puljens tillægsbevillinger, dokumentet handler om. Tom: puljens "
            "første bevilling, selve frigivelsen."
        ),
    )

    OPTION_NAMES = (*option_fields(), "appropriation")

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.types = allowed_types(user)
        self.fields["document_type"].choices = [(t.key, str(t.name)) for t in self.types]  # type: ignore[attr-defined]
        self.fields["scope"].choices = scope_choices(user, self.types)  # type: ignore[attr-defined]
        if not self.is_bound:
            self.fields["period"].initial = str(Period.proposed_year(local_today()))
        choices = appropriation_choices(user) if any(t.key == "pool_release" for t in self.types) else []
        if choices:
            self.fields["appropriation"].choices = [("", _("Puljens første")), *choices]  # type: ignore[attr-defined]
        else:
            del self.fields["appropriation"]

    def clean_period(self) -> str:
        text = (self.cleaned_data.get("period") or "").strip()
        if not text:
            return ""  # whether a type may go without one, ``clean`` decides
        try:
            return Period.parse(text).text
        except ReportError as error:
            raise forms.ValidationError(str(error))

    def clean(self) -> dict[str, Any]:
        """The period the document will cover, checked against what it is about: an initiative's own
        years, a release's appropriation. A period that does not fit is an error at the period field,
        and the one that does is what the job and the appendix state (2025, not the 2025-2027 asked)."""
        data = super().clean() or {}
        if "period" not in data or not data.get("document_type") or not data.get("scope"):
            return data  # a field error is shown already
        try:
            doc_type = get_type(data["document_type"])
            scope = resolve_scope(data["scope"], self.user)
            period = covered_period(doc_type, scope, data["period"], clean_options(self.options()))
        except PeriodError as error:
            self.add_error("period", str(error))
        except ReportError:
            pass  # the type, the scope or the options: the page reports them when it makes the document
        else:
            data["period"] = period.text
        return data

    def options(self) -> dict[str, str]:
        return {name: self.cleaned_data.get(name) or "" for name in self.OPTION_NAMES if self.cleaned_data.get(name)}


class DownloadForm(forms.Form):
    """The format of a file to make from a previewed document."""

    output_format = forms.ChoiceField(label=_("Format"), choices=OutputFormat.choices)


class TemplateUploadForm(forms.Form):
    """Upload a Word template for one document type, or for all types."""

    name = forms.CharField(label=_("Navn"), max_length=200)
    document_type = forms.ChoiceField(label=_("Dokumenttype"), required=False)
    municipality: forms.ModelChoiceField[Municipality] = forms.ModelChoiceField(
        label=_("Kommune"),
        queryset=Municipality.objects.none(),
    )
    file = forms.FileField(label=_("Word-skabelon (.docx)"))

    def __init__(self, *args: Any, municipalities: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["document_type"].choices = [("", _("Alle dokumenttyper"))] + [  # type: ignore[attr-defined]
            (t.key, str(t.name)) for t in all_types()
        ]
        field = self.fields["municipality"]
        field.queryset = municipalities  # type: ignore[attr-defined]
        if municipalities.count() == 1:
            field.initial = municipalities.first()
            field.widget = forms.HiddenInput()

    @property
    def chosen_municipality(self) -> Municipality:
        return self.cleaned_data["municipality"]  # type: ignore[no-any-return]
