from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganisationsConfig(AppConfig):
    name = "styrbord.organisations"
    verbose_name = _("Organisationer og tilbud")

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from styrbord.lib.collation import install_sqlite_collation

        # Lists are ordered in Danish (styrbord.lib.collation); SQLite learns the order per connection.
        connection_created.connect(install_sqlite_collation, dispatch_uid="styrbord_danish_collation")
