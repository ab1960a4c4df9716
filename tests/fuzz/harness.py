"""Runs one fuzz case through the parser in a child process with a time limit.

A parse that hangs in C code (zlib, lxml, a regex) ignores signals in the
parent, so the only dependable limit is a process that can be killed. The
child also runs under an address-space limit, so a decompression bomb that
slipped past the checks ends as MemoryError instead of taking the machine.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import re
import resource
import tempfile
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

from tests.fuzz.generators import Case

PROJECT = Path(__file__).resolve().parents[2]
PARSED, IMPORT_ERROR, OTHER, TIMEOUT, CRASHED, LEAK = "parsed", "import_error", "other", "timeout", "crashed", "leak"
FAILURES = (OTHER, TIMEOUT, CRASHED, LEAK)
CJK = re.compile(r"[\u4e00-\u9fff]")
# What an external entity would pull in if the XML parser resolved it.
LEAK_MARKERS = ("root:x:0:0", "/bin/bash", "daemon:x:")


@dataclass
class Outcome:
    status: str
    error_class: str = ""
    message: str = ""
    detail: str = ""  # traceback head for failures; the wrapped cause for import errors
    own_code_cause: str = ""  # a non-library exception from imports/ wrapped as "corrupt file"
    seconds: float = 0.0

    @property
    def key(self) -> str:
        return f"{self.status}:{self.error_class}" if self.error_class else self.status


def _frames(exc: BaseException) -> list[traceback.FrameSummary]:
    return traceback.extract_tb(exc.__traceback__) if exc.__traceback__ else []


def _own_code_cause(exc: BaseException) -> str:
    """The cause of a wrapped error, when it was raised by our parser code itself.

    A library failing on a damaged file is expected; an IndexError in
    imports/parsers/ on a file that opens fine is a parser bug that the
    catch-all turned into "the file is damaged".
    """
    cause = exc.__cause__ or exc.__context__
    if cause is None or isinstance(cause, MemoryError):
        return ""
    frames = _frames(cause)
    if not frames:
        return ""
    last = frames[-1]
    if "site-packages" in last.filename or not last.filename.startswith(str(PROJECT)):
        return ""
    where = os.path.relpath(last.filename, PROJECT)
    return f"{type(cause).__name__}: {str(cause)[:120]} @ {where}:{last.lineno} ({last.name})"


def classify(*, data: bytes, name: str) -> Outcome:
    """Parse `data` as an upload called `name`, here, and say how it ended."""
    from imports.errors import LedgerImportError
    from imports.parsers import ParsedLedger, parse_file

    suffix = Path(name).suffix[:8]
    with tempfile.TemporaryDirectory(prefix="fuzz-") as tmp:
        path = Path(tmp) / f"upload{suffix}"
        path.write_bytes(data)
        started = time.perf_counter()
        try:
            parsed = parse_file(path, original_name=name)
        except LedgerImportError as exc:
            seconds = time.perf_counter() - started
            message = str(exc)
            if not message.strip():
                return Outcome(OTHER, type(exc).__name__, "", "empty message", seconds=seconds)
            cause = exc.__cause__
            detail = f"{type(cause).__name__}: {str(cause)[:160]}" if cause else ""
            if not CJK.search(message):
                detail = f"non-Chinese message; {detail}"
            return Outcome(
                IMPORT_ERROR,
                type(exc).__name__,
                message[:300],
                detail,
                own_code_cause=_own_code_cause(exc),
                seconds=seconds,
            )
        except BaseException as exc:  # anything else is the finding
            seconds = time.perf_counter() - started
            head = "".join(traceback.format_exception(exc, limit=-8))[-3000:]
            return Outcome(OTHER, type(exc).__name__, str(exc)[:300], head, seconds=seconds)
        seconds = time.perf_counter() - started
    if not isinstance(parsed, ParsedLedger):
        return Outcome(OTHER, type(parsed).__name__, "parse_file returned something else", seconds=seconds)
    text = repr(parsed)
    for marker in LEAK_MARKERS:
        if marker in text:
            return Outcome(LEAK, "", f"parsed text contains {marker!r}", seconds=seconds)
    return Outcome(PARSED, seconds=seconds)


def _child(conn, memory_limit: int) -> None:
    import logging

    # pdfminer logs a warning per damaged object: thousands of lines of noise.
    logging.disable(logging.WARNING)
    if memory_limit:
        resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))
    while True:
        try:
            job = conn.recv()
        except EOFError:
            return
        if job is None:
            return
        data, name = job
        conn.send(classify(data=data, name=name))


class ParseWorker:
    """A child process that parses cases one at a time; killed and replaced on timeout."""

    def __init__(self, *, timeout: float = 20.0, memory_limit: int = 3 * 1024**3):
        self.timeout = timeout
        self.memory_limit = memory_limit
        self._context = multiprocessing.get_context("fork")
        self._process = None
        self._conn = None

    def _start(self) -> None:
        parent, child = self._context.Pipe()
        self._process = self._context.Process(target=_child, args=(child, self.memory_limit), daemon=True)
        self._process.start()
        child.close()
        self._conn = parent

    def _kill(self) -> None:
        if self._process is not None:
            self._process.kill()
            self._process.join(5)
        if self._conn is not None:
            self._conn.close()
        self._process = self._conn = None

    def run(self, case: Case) -> Outcome:
        if self._process is None or not self._process.is_alive():
            self._start()
        started = time.perf_counter()
        try:
            self._conn.send((case.data, case.name))
            if self._conn.poll(self.timeout):
                return self._conn.recv()
        except (EOFError, BrokenPipeError, ConnectionResetError):
            code = self._process.exitcode if self._process else None
            self._kill()
            return Outcome(CRASHED, f"exit {code}", seconds=time.perf_counter() - started)
        self._kill()
        return Outcome(TIMEOUT, "", f"no answer within {self.timeout:g} s", seconds=time.perf_counter() - started)

    def close(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(OSError):
                self._conn.send(None)
        if self._process is not None:
            self._process.join(5)
        self._kill()

    def __enter__(self) -> ParseWorker:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
