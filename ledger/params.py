"""Integers typed by users into query strings and form fields.

``?period=abc``, ``?unit=²`` or a 30-digit id must read as "not given": int()
rejects some characters that str.isdigit() accepts, and a value past 64 bits
overflows the database driver instead of matching nothing.
"""

from __future__ import annotations

MAX_INT = 2**63 - 1  # SQLite INTEGER and PostgreSQL bigint


def int_param(value, default: int | None = None) -> int | None:
    """``value`` as an int, or ``default`` when it is missing, junk or out of range."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default
    return number if -MAX_INT <= number <= MAX_INT else default
