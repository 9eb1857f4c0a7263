from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "styrbord.training"
    verbose_name = _("Kurser og bookinger")
