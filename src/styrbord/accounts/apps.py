from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "styrbord.accounts"
    verbose_name = _("Brugere og roller")

    def ready(self) -> None:
        # Each app may declare its rows of the policy table in a ``policy.py`` module.
        from importlib import import_module
        from importlib.util import find_spec

        from django.apps import apps

        for config in apps.get_app_configs():
            if config.name.startswith("styrbord.") and find_spec(f"{config.name}.policy") is not None:
                import_module(f"{config.name}.policy")
