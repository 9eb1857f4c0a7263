from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "styrbord.web"
    verbose_name = _("Brugerflade")

    def ready(self) -> None:
        # The project's own lookups (field__any_of, the range-safe field__in) on every model.
        from styrbord.lib import lookups  # noqa: F401
