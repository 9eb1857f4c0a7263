"""Forms of the competence pages."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from styrbord.competences.importing import lookup_keys
from styrbord.competences.models import Competence
from styrbord.training.forms import NamedErrorsMixin

MAX_VALIDITY_MONTHS = 600  # 50 years: longer is a typing error, not a validity
# A code: words of a-z and digits joined by single hyphens, with a letter somewhere (not "-", "1",
# "housing_first" next to "housing-first"); a slug field alone lets all of those through.
CODE_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
CODE_RULE = _(
    "Kode: brug kun a-z (ikke æ, ø, å), tal og enkelte bindestreger mellem dem, og mindst ét bogstav, "
    "f.eks. voldsforebyggelse."
)


class CompetenceForm(NamedErrorsMixin, forms.ModelForm):
    """A competence in the catalogue. The code is given once and never changed (imports and the API
    know the competence by it); no two competences may share what the certificate import matches a
    row by (code, name, name without a bracketed note; case aside)."""

    class Meta:
        model = Competence
        fields = ["code", "name", "category", "description", "validity_months", "refresher_rule"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        error_messages = {
            "code": {"invalid": CODE_RULE},
            "validity_months": {"invalid": _("Gyldighed (måneder): skriv et helt antal måneder.")},
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        code = self.fields["code"]
        if self.instance.pk:
            # A disabled field shows the code and ignores whatever code is posted.
            code.disabled = True
            code.required = False
            code.help_text = _(
                "Koden kan ikke ændres: import af kompetencebeviser og API'et kender kompetencen på den."
            )
        else:
            code.help_text = _(
                "Kort entydig kode med små bogstaver, tal og bindestreg, f.eks. voldsforebyggelse. "
                "Import af kompetencebeviser og API'et kender kompetencen på koden, så den kan ikke ændres bagefter."
            )
        months = self.fields["validity_months"]
        between = _("Gyldighed (måneder) skal være mellem 1 og %(most)s.") % {"most": MAX_VALIDITY_MONTHS}
        months.validators = [MinValueValidator(1, message=between), MaxValueValidator(MAX_VALIDITY_MONTHS, between)]
        months.widget.attrs.update({"min": 1, "max": MAX_VALIDITY_MONTHS})
        months.help_text = _("Tom betyder, at kompetencen ikke udløber.")
        if self.instance.pk:
            months.help_text = _(
                "Tom betyder, at kompetencen ikke udløber. Kompetencebeviser, der allerede er registreret, "
                "beholder deres udløbsdato, hvis gyldigheden ændres; kun nye beviser får den nye gyldighed."
            )
        for name in ("code", "name", "category"):
            self.fields[name].error_messages["required"] = _("%(field)s skal udfyldes.") % {
                "field": self.fields[name].label
            }

    def clean_code(self) -> str:
        if self.instance.pk:
            return self.instance.code
        code = (self.cleaned_data.get("code") or "").lower()
        if not CODE_PATTERN.fullmatch(code) or not any(c.isalpha() for c in code):
            raise forms.ValidationError(CODE_RULE, code="invalid")
        taken = Competence.objects.filter(code__iexact=code).first()
        if taken is not None:
            raise forms.ValidationError(
                _("Koden »%(code)s« bruges allerede af %(competence)s."),
                code="code_taken",
                params={"code": code, "competence": taken.name},
            )
        return code

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        name = data.get("name")
        if not name or (self.instance.pk and "name" not in self.changed_data):
            return data  # an unchanged name makes no new ambiguity
        code = data.get("code") or ""
        new_code, new_name, new_plain = lookup_keys(code, name)
        others = [(c, lookup_keys(c.code, c.name)) for c in Competence.objects.exclude(pk=self.instance.pk)]
        same = next((c for c, keys in others if keys[1] == new_name), None)
        if same is not None:
            self.add_error(
                "name",
                forms.ValidationError(
                    _("Navnet »%(name)s« bruges allerede af %(competence)s."),
                    code="name_taken",
                    params={"name": name, "competence": same.name},
                ),
            )
            return data
        ours = {new_name, new_plain} - {""}
        like = next((c for c, keys in others if ours & set(keys)), None)
        if like is not None:
            self.add_error(
                "name",
                forms.ValidationError(
                    _(
                        "Navnet »%(name)s« kan ikke skelnes fra %(competence)s (%(code)s), når kompetencebeviser "
                        "importeres: importen ser bort fra store og små bogstaver og fra tekst i parentes, "
                        "og den kender også kompetencerne på deres kode."
                    ),
                    code="name_like",
                    params={"name": name, "competence": like.name, "code": like.code},
                ),
            )
        if code and not self.instance.pk and "code" not in self.errors:
            named = next((c for c, keys in others if new_code in keys[1:]), None)
            if named is not None:
                self.add_error(
                    "code",
                    forms.ValidationError(
                        _(
                            "Koden »%(code)s« er navnet på %(competence)s, så importen af kompetencebeviser kunne ikke skelne dem."
                        ),
                        code="code_is_a_name",
                        params={"code": code, "competence": named.name},
                    ),
                )
        return data
