"""Broken ledger files end in a parsed ledger or a LedgerImportError — never
another exception, never a hang, never a half-written import.

A few hundred hypothesis-driven cases (derandomized, no example database, so
every run tries the same inputs); `make fuzz` runs the same generators over
10,000+. Each parse runs in a child process with a time limit (harness.py).
"""

from __future__ import annotations

import random

import pytest
from django.db import DatabaseError, connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from imports.errors import LedgerImportError
from tests.fuzz import generators
from tests.fuzz.harness import CRASHED, FAILURES, IMPORT_ERROR, PARSED, TIMEOUT, Outcome, ParseWorker

PARSE_TIMEOUT = 15.0
_FUZZ = settings(
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


def fuzz(examples: int) -> settings:
    return settings(_FUZZ, max_examples=examples)


def cases(fmt: str) -> st.SearchStrategy[generators.Case]:
    return st.builds(
        lambda mutation, base_index, rng: generators.make_case(
            fmt=fmt, base_index=base_index, mutation=mutation, rng=rng
        ),
        st.sampled_from(generators.mutations_for(fmt)),
        st.integers(min_value=0, max_value=50),
        st.randoms(use_true_random=False),
    )


@pytest.fixture(scope="module")
def parser():
    with ParseWorker(timeout=PARSE_TIMEOUT) as worker:
        yield worker


def _check(case: generators.Case, outcome: Outcome) -> None:
    where = f"{case.label} from {case.base} as {case.name!r} ({len(case.data):,} bytes)"
    assert outcome.status not in FAILURES, f"{where}: {outcome.key} {outcome.message}\n{outcome.detail}"
    assert outcome.status in (PARSED, IMPORT_ERROR)
    if outcome.status == IMPORT_ERROR:
        assert outcome.message.strip(), f"{where}: {outcome.error_class} with an empty message"


@fuzz(80)
@given(case=cases("docx"))
def test_docx_parse_ends_cleanly(parser, case) -> None:
    _check(case, parser.run(case))


@fuzz(80)
@given(case=cases("xlsx"))
def test_xlsx_parse_ends_cleanly(parser, case) -> None:
    _check(case, parser.run(case))


@fuzz(45)
@given(case=cases("pdf"))
def test_pdf_parse_ends_cleanly(parser, case) -> None:
    _check(case, parser.run(case))


@pytest.mark.parametrize("fmt", generators.FORMATS)
def test_every_mutation_runs_once(parser, fmt: str) -> None:
    """Each mutation at least once, whatever hypothesis happened to draw."""
    for index, mutation in enumerate(generators.mutations_for(fmt)):
        case = generators.make_case(fmt=fmt, base_index=index, mutation=mutation, rng=random.Random(index))
        _check(case, parser.run(case))


def test_the_harness_reports_a_hang_and_recovers() -> None:
    """The time limit works: a parse that never returns is killed, the next case runs."""
    import time

    from imports import parsers

    original = parsers.parse_file
    parsers.parse_file = lambda *a, **k: time.sleep(60)  # the forked child inherits this
    try:
        with ParseWorker(timeout=0.5) as worker:
            case = generators.make_case(fmt="docx", base_index=0, mutation="truncate", rng=random.Random(0))
            assert worker.run(case).status == TIMEOUT
            parsers.parse_file = original
            assert worker.run(case).status in (PARSED, IMPORT_ERROR)
    finally:
        parsers.parse_file = original
    assert CRASHED in FAILURES


# --- whole imports: never a partial write ---------------------------------------------------------


def _row_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        counts = {}
        for table in connection.introspection.table_names(cursor):
            if table.startswith(("ledger_", "imports_")):
                cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
                counts[table] = cursor.fetchone()[0]
    return counts


def _import(case: generators.Case, tmp_path, *, period: str | None):
    from imports.loader import import_file

    path = tmp_path / f"upload{'.' + case.name.rsplit('.', 1)[-1] if '.' in case.name else ''}"
    path.write_bytes(case.data)
    return import_file(path, original_name=case.name, period=period, dry_run=False)


IMPORTABLE = st.one_of(
    st.sampled_from(["docx", "xlsx"]).flatmap(
        lambda fmt: st.builds(
            lambda mutation, rng: generators.make_case(
                fmt=fmt, base_index=rng.randrange(9), mutation=mutation, rng=rng
            ),
            st.sampled_from(["random_cells", "built", "built+random_cells", "flip_bytes", "malformed_xml"]),
            st.randoms(use_true_random=False),
        )
    ),
    st.builds(
        lambda mutation, rng: generators.make_case(fmt="pdf", base_index=rng.randrange(9), mutation=mutation, rng=rng),
        st.sampled_from(["corrupt_object", "flip_bytes", "zero_range"]),
        st.randoms(use_true_random=False),
    ),
)


@pytest.mark.django_db
@fuzz(30)
@given(case=IMPORTABLE, period=st.sampled_from([None, "2024-06", "2025-Q1"]))
def test_failed_import_writes_nothing(parser, tmp_path, case, period) -> None:
    # The child proves the parse ends in time before this process runs it.
    outcome = parser.run(case)
    _check(case, outcome)
    before = _row_counts()
    try:
        _import(case, tmp_path, period=period)
    except LedgerImportError as exc:
        assert str(exc).strip(), f"{case.label}: {type(exc).__name__} with an empty message"
        assert _row_counts() == before, f"{case.label}: a failed import left rows behind"


@pytest.mark.django_db
def test_database_error_mid_import_rolls_everything_back(monkeypatch, tmp_path) -> None:
    """A write that fails halfway (disk full, constraint) leaves no trace."""
    from imports import loader

    original = loader.set_subtask_units
    calls = {"n": 0}

    def failing(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 5:
            raise DatabaseError("simulated failure after some rows were written")
        return original(*args, **kwargs)

    monkeypatch.setattr(loader, "set_subtask_units", failing)
    case = generators.Case("docx", "none", "sample", *generators.sample_files("docx")[1])
    before = _row_counts()
    with pytest.raises(LedgerImportError) as raised:
        _import(case, tmp_path, period=None)
    assert calls["n"] == 5, "the failure was not reached: the test proves nothing"
    assert str(raised.value).strip()
    assert _row_counts() == before
