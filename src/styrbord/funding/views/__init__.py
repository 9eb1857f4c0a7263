"""Funding pages: pools and grants overview, a grant with its ledger, a municipality's funding,
forms for finance officers, and the grantor package downloads."""
