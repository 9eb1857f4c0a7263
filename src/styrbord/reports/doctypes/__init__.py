"""Document types. Importing this package registers every type in ``base.REGISTRY``."""

from styrbord.reports.doctypes import competence_status, initiative_economy, pool_release, workforce  # noqa: F401
