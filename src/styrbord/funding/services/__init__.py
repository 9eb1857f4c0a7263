"""Funding workflows. Each raises FundingError with a Danish message that the views show."""

from styrbord.funding.services.errors import FundingError

__all__ = ["FundingError"]
