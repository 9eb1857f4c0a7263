from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganisationsConfig(AppConfig):
    name = "styrbord.organisations"
    verbose_name = _("Organisationer og tilbud")

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from styrbord.lib.collation import install_on_sqlite, register_lookups

        # Lists are ordered in Danish and searched without regard to case or accents (styrbord.lib.collation):
        # SQLite learns both per connection.
        connection_created.connect(install_on_sqlite, dispatch_uid="styrbord_danish_collation")
        register_lookups()
