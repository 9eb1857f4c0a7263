"""Digest versions (models without a version field) fit the schema and never look like a CPR number."""

from __future__ import annotations

from typing import Any

import pytest

from styrbord.api.crud import current_version
from styrbord.api.schemas import MAX_INT
from styrbord.competences.models import Competence
from styrbord.requirements.models import Requirement, ScopeLevel
from styrbord.testing.logscan import CPR_PATTERN


def test_a_digest_version_has_at_most_nine_digits_and_changes_with_the_row() -> None:
    versions = set()
    for i in range(5000):
        version = current_version(Competence(pk=i + 1, code=f"k{i}", name=f"Kompetence {i}", category="method"))
        assert 1 <= version <= 999_999_999 < MAX_INT
        # In a URL (?version=...) a ten-digit value could be read as a CPR number by the log scan.
        assert not CPR_PATTERN.search(f"/api/v1/competences/{i + 1}?version={version}")
        versions.add(version)
    assert len(versions) == 5000  # a different row (or a changed one) gets a different version
    same = Competence(pk=1, code="k0", name="Kompetence 0", category="method")
    assert current_version(same) == current_version(Competence(pk=1, code="k0", name="Kompetence 0", category="method"))


@pytest.mark.django_db
def test_a_requirement_version_covers_its_alternative_competences(world: Any, api_as: Any) -> None:
    """Adding an alternative competence alone gives the requirement a new version: a PATCH with
    the version read before it is a 409, and nothing of the requirement changes."""
    first = Competence.objects.create(code="krav-a", name="Krav A", category="method")
    second = Competence.objects.create(code="krav-b", name="Krav B", category="method")
    requirement = Requirement.objects.create(name="Krav", scope_level=ScopeLevel.FACILITY, facility=world.dolmer)
    requirement.competences.set([first])
    api = api_as(world.coordinator)
    path = f"/requirements/{requirement.pk}"
    version = api.get(path).json()["version"]
    requirement.competences.add(second)
    fresh = api.get(path).json()["version"]
    assert fresh != version
    stale = api.patch(path, {"version": version, "name": "Omdøbt"})
    assert stale.status_code == 409, stale.content
    requirement.refresh_from_db()
    assert requirement.name == "Krav"
    assert api.patch(path, {"version": fresh, "name": "Omdøbt"}).status_code == 200
