"""Writes to the ledger domain, one module per area. Views, commands and the
importer call these; nothing else writes ledger rows."""
