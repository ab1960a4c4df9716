"""Reads of the ledger domain, one module per area; permission-aware where a
user is involved."""
