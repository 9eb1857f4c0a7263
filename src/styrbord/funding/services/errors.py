"""The funding domain error: carries a Danish message the view shows as it is."""

from __future__ import annotations


class FundingError(Exception):
    """A funding workflow refused an action; ``message`` is Danish and meant for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
