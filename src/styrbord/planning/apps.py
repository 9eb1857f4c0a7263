from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlanningConfig(AppConfig):
    name = "styrbord.planning"
    verbose_name = _("Planlægning")

    def ready(self) -> None:
        # Registers the booking note a plan writes (RecordMessage FROM_SCENARIO), so it is shown in
        # the reader's language whatever ran first.
        import styrbord.planning.services  # noqa: F401
