"""Reporting periods as plain values: parse, label and compute their dates.

Pure Python (no database, no settings) so that parsers, commands and models
share one definition of what "2024-06", "2025-Q1", "2024-H1" or "2023" mean.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

MONTH = "month"
QUARTER = "quarter"
HALF = "half"
YEAR = "year"

_CN_NUM = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_CN_QUARTER = {1: "一", 2: "二", 3: "三", 4: "四"}


class PeriodError(ValueError):
    """A period label that cannot be understood."""


@dataclass(frozen=True, order=True)
class Period:
    """One reporting period: a month, quarter, half-year or year."""

    year: int
    kind: str
    index: int | None = None  # month 1-12, quarter 1-4, half 1-2; None for a year

    @property
    def code(self) -> str:
        """Canonical label used in JSON and on the command line."""
        if self.kind == MONTH:
            return f"{self.year}-{self.index:02d}"
        if self.kind == QUARTER:
            return f"{self.year}-Q{self.index}"
        if self.kind == HALF:
            return f"{self.year}-H{self.index}"
        return str(self.year)

    @property
    def label(self) -> str:
        """Chinese label as printed on a ledger."""
        if self.kind == MONTH:
            return f"{self.year}年{self.index}月"
        if self.kind == QUARTER:
            return f"{self.year}年第{_CN_QUARTER[self.index]}季度"
        if self.kind == HALF:
            return f"{self.year}年{'上' if self.index == 1 else '下'}半年"
        return f"{self.year}年度"

    @property
    def start(self) -> dt.date:
        if self.kind == MONTH:
            first_month = self.index
        elif self.kind == QUARTER:
            first_month = 3 * (self.index - 1) + 1
        elif self.kind == HALF:
            first_month = 6 * (self.index - 1) + 1
        else:
            first_month = 1
        return dt.date(self.year, first_month, 1)

    @property
    def end(self) -> dt.date:
        months = {MONTH: 1, QUARTER: 3, HALF: 6, YEAR: 12}[self.kind]
        last_month = self.start.month + months - 1
        return dt.date(self.year, last_month, calendar.monthrange(self.year, last_month)[1])

    def next(self) -> Period:
        """The period that follows this one, of the same kind."""
        if self.kind == YEAR:
            return Period(self.year + 1, YEAR)
        size = {MONTH: 12, QUARTER: 4, HALF: 2}[self.kind]
        if self.index < size:
            return Period(self.year, self.kind, self.index + 1)
        return Period(self.year + 1, self.kind, 1)

    def contains(self, other: Period) -> bool:
        return self.start <= other.start and other.end <= self.end

    def __str__(self) -> str:
        return self.code


_CODE_RE = re.compile(r"^\s*(\d{4})(?:-(?:(\d{1,2})|[Qq]([1-4])|[Hh]([12])))?\s*$")
_MONTH_RE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月(?!\s*[-—至到~～]\s*\d)")
_QUARTER_RE = re.compile(r"(\d{4})\s*年\s*(?:第\s*)?([一二三四1-4])\s*季度?")
_HALF_RE = re.compile(r"(\d{4})\s*年\s*(?:度\s*)?([上下])\s*半\s*年")
_YEAR_RE = re.compile(r"(\d{4})\s*年")


def parse_period(text: str) -> Period:
    """Parse a canonical code ("2025-Q1") or a Chinese label ("2025年一季度")."""
    m = _CODE_RE.match(text or "")
    if m:
        year = int(m.group(1))
        if year < dt.MINYEAR:  # "0000": no calendar date exists for it
            raise PeriodError(f"无法识别的期次：{text}")
        if m.group(2):
            month = int(m.group(2))
            if not 1 <= month <= 12:
                raise PeriodError(f"无法识别的期次：{text}")
            return Period(year, MONTH, month)
        if m.group(3):
            return Period(year, QUARTER, int(m.group(3)))
        if m.group(4):
            return Period(year, HALF, int(m.group(4)))
        return Period(year, YEAR)
    found = find_period(text or "")
    if found is None:
        raise PeriodError(f"无法识别的期次：{text}")
    return found


def find_period(text: str) -> Period | None:
    """Find the period a ledger's title or file name speaks of, if any."""
    found = _search_period(text or "")
    # "0000年" matches the patterns, but year 0 has no dates to compare periods by.
    return found if found is None or found.year >= dt.MINYEAR else None


def _search_period(text: str) -> Period | None:
    m = _MONTH_RE.search(text)
    if m and 1 <= int(m.group(2)) <= 12:
        return Period(int(m.group(1)), MONTH, int(m.group(2)))
    m = _QUARTER_RE.search(text)
    if m:
        return Period(int(m.group(1)), QUARTER, _CN_NUM[m.group(2)])
    m = _HALF_RE.search(text)
    if m:
        return Period(int(m.group(1)), HALF, 1 if m.group(2) == "上" else 2)
    m = re.search(r"(\d{4})[-_.年]?(0[1-9]|1[0-2])(?!\d)", text)  # file names: 2024-06
    if m:
        return Period(int(m.group(1)), MONTH, int(m.group(2)))
    m = re.search(r"(\d{4})[-_]?[Qq]([1-4])", text)
    if m:
        return Period(int(m.group(1)), QUARTER, int(m.group(2)))
    m = re.search(r"(\d{4})[-_]?[Hh]([12])", text)
    if m:
        return Period(int(m.group(1)), HALF, int(m.group(2)))
    m = _YEAR_RE.search(text) or re.search(r"(?<!\d)(20\d{2})(?!\d)", text)
    if m:
        return Period(int(m.group(1)), YEAR)
    return None
