from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundingConfig(AppConfig):
    name = "styrbord.funding"
    verbose_name = _("Puljer og økonomi")
