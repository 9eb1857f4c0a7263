"""Forms of the HR import pages: the upload, and the column mapping of a generic file."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from styrbord.accounts.uploads import UploadRejectedError, check_upload
from styrbord.organisations.models import Municipality
from styrbord.staff.import_models import ColumnMapping
from styrbord.staff.importing.generic import (
    FIELDS,
    NAME_PARTS,
    alternative_text,
    alternatives,
    badly_shared,
    fields_text,
    group_text,
    missing_groups,
    name_given_twice,
    required_group,
    sharing_text,
)

MAX_FILES = 10


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (the five-file set is chosen in one go)."""

    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        single = super().clean
        files = data if isinstance(data, (list, tuple)) else [data]
        return [single(f, initial) for f in files if f] or [single(None, initial)]


class UploadForm(forms.Form):
    files = MultipleFileField(  # type: ignore[assignment]
        label=_("Filer"),
        help_text=_("De fem CSV-filer (bruger, organisation, engagement, stillingskode, leder) eller én CSV/XLSX-fil."),
        widget=MultipleFileInput(attrs={"accept": ".csv,.txt,.xlsx"}),
    )
    municipality = forms.ModelChoiceField(queryset=Municipality.objects.all(), label=_("Kommune"), required=False)
    mapping = forms.ModelChoiceField(
        queryset=ColumnMapping.objects.none(),
        label=_("Kolonneopsætning"),
        required=False,
        help_text=_("Kun for en generel fil. Uden opsætning vælger du kolonnerne i næste trin."),
    )
    end_missing = forms.BooleanField(
        label=_("Afslut aktive ansættelser, der ikke er med i filerne"),
        required=False,
        help_text=_("Brug kun dette med en fuld leverance for hele kommunen."),
    )

    def __init__(self, *args: Any, municipality: Municipality | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fixed_municipality = municipality
        if municipality is not None:
            del self.fields["municipality"]
            self.fields["mapping"].queryset = ColumnMapping.objects.filter(municipality=municipality)  # type: ignore[attr-defined]
        else:
            self.fields["municipality"].required = True
            self.fields["mapping"].queryset = ColumnMapping.objects.select_related("municipality")  # type: ignore[attr-defined]

    def clean_files(self) -> list[UploadedFile]:
        files: list[UploadedFile] = self.cleaned_data["files"]
        if len(files) > MAX_FILES:
            raise forms.ValidationError(_("Vælg højst %(count)s filer.") % {"count": MAX_FILES})
        for upload in files:
            try:
                # The shared upload check: size, and for XLSX the zip directory (bombs, traversal).
                check_upload(upload, allow_zip=True)
            except UploadRejectedError as exc:
                raise forms.ValidationError(f"{upload.name}: {' '.join(exc.messages)}") from None
        return files

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        municipality = self.fixed_municipality or data.get("municipality")
        mapping = data.get("mapping")
        if mapping is not None and municipality is not None and mapping.municipality_id != municipality.pk:
            self.add_error("mapping", _("Kolonneopsætningen hører til en anden kommune."))
        data["municipality"] = municipality
        return data


class MappingForm(forms.Form):
    """One select per Styrbord field, offering the file's column headers."""

    save_as = forms.CharField(
        label=_("Gem opsætningen som"),
        max_length=100,
        required=False,
        help_text=_("Giv opsætningen et navn for at bruge den igen ved næste import."),
    )

    def __init__(self, *args: Any, headers: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", "—"), *((h, h) for h in headers if h)]
        for f in FIELDS:
            self.fields[f"field_{f.key}"] = forms.ChoiceField(
                label=str(f.label), choices=choices, required=False, help_text=requirement(f.key)
            )
            # Marked for the template: one of a required group must have a column (not the
            # browser's required, which would refuse an alternative left empty).
            self.fields[f"field_{f.key}"].needed = bool(required_group(f.key))  # type: ignore[attr-defined]
        self.order_fields([f"field_{f.key}" for f in FIELDS] + ["save_as"])

    def mapping(self) -> dict[str, str]:
        return {f.key: self.cleaned_data[f"field_{f.key}"] for f in FIELDS if self.cleaned_data.get(f"field_{f.key}")}

    def clean(self) -> dict[str, Any]:
        """Every problem at once: all the required fields without a column, a name given both
        whole and in parts, and each column chosen for fields that cannot share one, by its header
        and those fields."""
        data = super().clean() or {}
        chosen = {f.key: data.get(f"field_{f.key}") or "" for f in FIELDS}
        missing = missing_groups(chosen)
        if missing:
            fields = "; ".join(group_text(group) for group in missing)
            if len(missing) == 1:
                message = gettext("Vælg en kolonne til: %(fields)s.")
            else:
                message = gettext("Vælg en kolonne til hvert af disse felter: %(fields)s.")
            self.add_error(None, message % {"fields": fields})
            for group in missing:
                for alternative in group:
                    for key in alternative:
                        if not chosen[key]:  # a first name chosen without a last name: the last is marked
                            self.add_error(f"field_{key}", gettext("Vælg en kolonne."))
        if name_given_twice(chosen):
            self.add_error(
                None,
                gettext(
                    "Vælg enten en kolonne til Navn eller kolonner til Fornavn og Efternavn (og evt. Mellemnavn), "
                    "ikke begge dele."
                ),
            )
            for key in ("name", *NAME_PARTS):
                if chosen[key]:
                    self.add_error(f"field_{key}", gettext("Vælg enten Navn eller Fornavn og Efternavn."))
        # One column may feed several fields only where it means them all (``SHARING_GROUPS``: a
        # "Stilling" that is the job title and gives the job group); any other is a slip.
        for column, keys in badly_shared(chosen):
            self.add_error(
                None,
                gettext(
                    "Kolonnen »%(column)s« er valgt til flere felter: %(fields)s. Kun %(shared)s kan bruge samme "
                    "kolonne."
                )
                % {"column": column, "fields": fields_text(keys), "shared": sharing_text()},
            )
            for key in keys:
                self.add_error(f"field_{key}", gettext("Kolonnen er også valgt til et andet felt."))
        return data

    def initial_from(self, mapping: dict[str, str]) -> None:
        for key, header in mapping.items():
            if f"field_{key}" in self.fields:
                self.fields[f"field_{key}"].initial = header


def requirement(key: str) -> str:
    """What the mapping page says under a field: required, or required unless an alternative has
    a column (empty for an optional field; the middle name goes only with a first and last name)."""
    others = alternatives(key)
    if others:
        text = gettext(" eller ").join(alternative_text(alternative) for alternative in others)
        if any(len(alternative) > 1 for alternative in others):
            return gettext("Påkrævet, medmindre %(others)s har hver sin kolonne.") % {"others": text}
        return gettext("Påkrævet, medmindre %(others)s har en kolonne.") % {"others": text}
    if required_group(key):
        return gettext("Påkrævet.")
    if key in NAME_PARTS:
        return gettext("Kun sammen med Fornavn og Efternavn.")
    return ""
