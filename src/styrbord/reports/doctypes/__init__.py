"""Document types. Importing this package registers every type in ``base.REGISTRY``."""

from styrbord.reports.doctypes import (  # noqa: F401
    competence_status,
    coverage_targets,
    initiative_economy,
    pool_release,
    workforce,
)
