"""Every database rule a user can break says what is wrong in words, in Danish and in English.

Django's fallback for a check constraint is "Begrænsning »grant_one_recipient« er overtrådt." It
names the constraint, not the rule. Forms, the admin and the API all show the
constraint's own message, so each rule must carry one.
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import translation

from styrbord.lib.rules import RuleFieldsMixin, rule_field
from styrbord.organisations.models import Facility
from styrbord.testing import factories


def _rules() -> list[tuple[str, models.BaseConstraint]]:
    """Check constraints, and unique constraints with a condition or an expression.

    A plain unique constraint over fields keeps Django's own message ("… med dette … findes
    allerede"), which names the fields already.
    """
    found = []
    for model in apps.get_models():
        if not model.__module__.startswith("styrbord."):
            continue
        for constraint in model._meta.constraints:
            plain_unique = (
                isinstance(constraint, models.UniqueConstraint) and constraint.fields and constraint.condition is None
            )
            if not plain_unique:
                found.append((f"{model._meta.label}.{constraint.name}", constraint))
    return found


def test_the_rules_are_found() -> None:
    names = {name for name, _ in _rules()}
    assert "funding.Grant.grant_one_recipient" in names
    assert "training.Booking.booking_one_live_per_person_session" in names
    assert len(names) >= 50


@pytest.mark.parametrize(("name", "constraint"), _rules(), ids=[name for name, _ in _rules()])
def test_every_rule_has_its_own_message_in_danish_and_english(name: str, constraint: models.BaseConstraint) -> None:
    message = constraint.violation_error_message
    assert message != constraint.default_violation_error_message, f"{name} falls back to Django's message"
    with translation.override("da"):
        danish = str(constraint.get_violation_error_message())
    with translation.override("en"):
        english = str(constraint.get_violation_error_message())
    assert constraint.name not in danish
    assert danish != english, f"{name} has no English translation"
    assert danish.endswith(".")
    assert english.endswith(".")


@pytest.mark.parametrize(("name", "constraint"), _rules(), ids=[name for name, _ in _rules()])
def test_every_rule_is_reported_on_its_field_where_it_has_one(name: str, constraint: models.BaseConstraint) -> None:
    """The rule's name is its error code, and its model moves the error to the field it is about."""
    label = name.rsplit(".", 1)[0]
    model = apps.get_model(label)
    assert constraint.violation_error_code == constraint.name
    assert issubclass(model, RuleFieldsMixin), f"{label} reports its rules on the whole row"
    field = rule_field(model, constraint.name)
    if field is not None:
        model._meta.get_field(field)  # a real field


def test_the_rule_fields_are_as_a_user_would_look_for_them() -> None:
    from styrbord.funding.models import Grant, Pool
    from styrbord.staff.models import Employment

    assert rule_field(Employment, "employment_end_after_start") == "end_date"
    assert rule_field(Employment, "employment_hours_in_range") == "weekly_hours"  # its only field
    assert rule_field(Pool, "pool_period_end_after_start") == "period_end"
    assert rule_field(Grant, "grant_one_recipient") is None  # two fields, neither to blame
    assert rule_field(Grant, None) is None


@pytest.mark.django_db
def test_a_region_run_facility_without_its_region_is_refused_with_the_rule_in_words(reference_data: None) -> None:
    facility = factories.facility("Regionens Botilbud")
    facility.operator_kind = Facility.OperatorKind.REGION
    facility.operator_region = None
    with translation.override("da"), pytest.raises(ValidationError) as danish:
        facility.validate_constraints()
    assert danish.value.message_dict == {
        "operator_region": ["Et tilbud, som en region driver, skal have den region, der driver det."]
    }
    with translation.override("en"), pytest.raises(ValidationError) as english:
        facility.validate_constraints()
    assert english.value.messages == ["A facility run by a region needs the region that runs it."]
    with pytest.raises(IntegrityError), transaction.atomic():
        facility.save()  # the database holds the same rule
