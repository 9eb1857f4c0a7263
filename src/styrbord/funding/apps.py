from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundingConfig(AppConfig):
    name = "styrbord.funding"
    verbose_name = _("Puljer og økonomi")

    def ready(self) -> None:
        # The ledger's own texts (RecordMessage) are registered when their modules load: load them
        # with the app, so a record is shown in the reader's language whatever ran first (a
        # command, a test, a worker).
        import styrbord.funding.services.booking_charges
        import styrbord.funding.services.ledger  # noqa: F401
        from styrbord.training.signals import booking_costs_changed

        booking_costs_changed.connect(_follow_cost_change, dispatch_uid="funding.follow_cost_change")


def _follow_cost_change(sender: Any, booking: Any, user: Any = None, **kwargs: Any) -> None:
    """A booking's costs changed in training: charge it again to its grants (see ``follow_cost_change``)."""
    from styrbord.funding.services.booking_charges import follow_cost_change

    follow_cost_change(booking, user)
