"""Shared test helpers: factories, role personas and browser fixtures."""
