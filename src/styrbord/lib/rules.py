"""Rules of the data (check constraints) report a broken rule on the field it is about.

Django reports every constraint as an error of the whole row ("__all__"), so a form shows it at
the top and the API answers ``loc: [..., "__all__"]``. A rule that concerns one field should
say so next to that field, and the API should name the field.

Each rule carries its name as ``violation_error_code``. :class:`RuleFieldsMixin` moves the
error of a rule to its field: the field named in ``RULE_FIELDS``, or the only field the rule's
condition refers to. Rules over several fields with no one field to blame (a grant with two
recipients) stay errors of the row.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models

# Rules over several fields, and the field a user corrects when the rule is broken.
RULE_FIELDS = {
    "absence_end_after_start": "end_date",
    "booking_cost_refund_sign": "amount",
    "employment_end_after_start": "end_date",
    "facility_region_operator_has_region": "operator_region",
    "holding_expiry_after_acquired": "expires_on",
    "pool_case_number_unique_per_grantor": "case_number",
    "pool_period_end_after_start": "period_end",
    "requirement_everyone_rules_target_100": "target_percent",
    "requirement_months_for_month_rules": "months",
    "requirement_new_staff_has_start": "effective_from",
    "scenario_horizon_after_start": "horizon_end",
    "staffing_period_end_after_start": "end_date",
}


def rule_field(model: type[models.Model], code: str | None) -> str | None:
    """The field a broken rule (by its code, the constraint's name) is reported on, if any."""
    if not code:
        return None
    if code in RULE_FIELDS:
        return RULE_FIELDS[code]
    for constraint in model._meta.constraints:
        if constraint.name == code and isinstance(constraint, models.CheckConstraint):
            fields = {ref[0] for ref in model._get_expr_references(constraint.condition)}  # type: ignore[attr-defined]
            return fields.pop() if len(fields) == 1 else None
    return None


class RuleFieldsMixin:
    """Model mixin: a broken rule is an error of its field (see the module docstring)."""

    def validate_constraints(self, exclude: Any = None) -> None:
        try:
            super().validate_constraints(exclude=exclude)  # type: ignore[misc]
        except ValidationError as error:
            errors: dict[str, list[ValidationError]] = {}
            for name, items in error.update_error_dict({}).items():
                for item in items:
                    field = rule_field(type(self), item.code) if name == NON_FIELD_ERRORS else None  # type: ignore[arg-type]
                    errors.setdefault(field or name, []).append(item)
            raise ValidationError(errors) from None
