"""Digest versions (models without a version field) fit the schema and never look like a CPR number."""

from __future__ import annotations

from styrbord.api.crud import current_version
from styrbord.api.schemas import MAX_INT
from styrbord.competences.models import Competence
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
