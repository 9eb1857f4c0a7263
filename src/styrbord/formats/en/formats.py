"""English input formats: the Danish ones, as Styrbord writes 18-12-2024 in both languages."""

from styrbord.formats.da.formats import DATE_INPUT_FORMATS, DATETIME_INPUT_FORMATS

__all__ = ["DATETIME_INPUT_FORMATS", "DATE_INPUT_FORMATS"]
