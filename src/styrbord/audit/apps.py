from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "styrbord.audit"
    verbose_name = _("Log over adgang og ændringer")

    def ready(self) -> None:
        # Connect the admin change-log signal handlers.
        from styrbord.audit import tracking  # noqa: F401
