"""Plain helpers (money, dates, formatting, environment) that own no models."""
