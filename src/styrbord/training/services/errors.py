"""The training domain error: carries a Danish message the view shows as it is."""

from __future__ import annotations


class BookingError(Exception):
    """A booking workflow refused an action; ``message`` is Danish and meant for the user."""

    def __init__(self, message: str, problems: list[str] | None = None, refused: dict[int, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        # Each of several refusals on its own (a group booking names everyone it cannot book).
        self.problems = problems or [message]
        # A group booking's refusals by employment id, so a caller can point each at its person.
        self.refused = refused or {}
