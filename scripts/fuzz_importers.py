"""`make fuzz`: the ledger parsers against >= 10,000 broken files.

Cases come from tests/fuzz/generators.py (the same generators the test suite
uses), numbered by seed so any case can be rebuilt: `--only SEED` reruns one
and writes its input to var/fuzz/. Two driver processes each build cases and
hand them to a parse child with a time limit and a memory limit.

Prints counts by outcome (parsed / LedgerImportError by class / other
exception / timeout / crashed child) and by format and mutation, the slowest
inputs, and every failure with its traceback head. Exits 1 on any other
exception, timeout, crash or leaked file content.
"""

from __future__ import annotations

import argparse
import collections
import json
import multiprocessing
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")


def _setup() -> None:
    import django

    django.setup()


def _drive(*, worker_index: int, workers: int, count: int, start: int, timeout: float, results) -> None:
    """Driver process: cases start+worker_index, +workers, … through one parse child."""
    _setup()
    from tests.fuzz.generators import case_from_seed
    from tests.fuzz.harness import ParseWorker

    with ParseWorker(timeout=timeout) as parser:
        for seed in range(start + worker_index, start + count, workers):
            try:
                case = case_from_seed(seed)
            except Exception as exc:  # a generator bug must not pass for a parser finding
                results.put((seed, "generator", "", "", f"{type(exc).__name__}: {exc}", "", 0.0, 0))
                continue
            outcome = parser.run(case)
            results.put(
                (
                    seed,
                    case.label,
                    outcome.key,
                    outcome.message,
                    outcome.detail,
                    outcome.own_code_cause,
                    outcome.seconds,
                    len(case.data),
                )
            )
    results.put(None)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=10_000, help="number of inputs (default 10000)")
    parser.add_argument("--start", type=int, default=0, help="first seed")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=20.0, help="seconds per input before it counts as a hang")
    parser.add_argument("--only", type=int, help="rerun one seed, save its input under var/fuzz/ and print the outcome")
    parser.add_argument("--json", help="also write the summary as JSON to this file")
    args = parser.parse_args()

    if args.only is not None:
        return _rerun(seed=args.only, timeout=args.timeout)

    context = multiprocessing.get_context("fork")
    results = context.Queue()
    drivers = [
        context.Process(
            target=_drive,
            kwargs={
                "worker_index": i,
                "workers": args.workers,
                "count": args.count,
                "start": args.start,
                "timeout": args.timeout,
                "results": results,
            },
        )
        for i in range(args.workers)
    ]
    started = time.perf_counter()
    for driver in drivers:
        driver.start()

    outcomes: collections.Counter[str] = collections.Counter()
    by_label: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    failures, own_code, slowest = [], collections.defaultdict(list), []
    done = finished = 0
    while finished < len(drivers):
        item = results.get()
        if item is None:
            finished += 1
            continue
        seed, label, key, message, detail, own, seconds, size = item
        done += 1
        if label == "generator":
            outcomes["generator error"] += 1
            failures.append({"seed": seed, "case": label, "outcome": "generator error", "detail": detail})
            continue
        outcomes[key] += 1
        by_label[label][key.split(":")[0]] += 1
        slowest.append((seconds, seed, label, key, size))
        if key.split(":")[0] in ("other", "timeout", "crashed", "leak"):
            failures.append(
                {"seed": seed, "case": label, "outcome": key, "message": message, "detail": detail, "size": size}
            )
        if own:
            own_code[own].append((seed, label))
        if done % 1000 == 0:
            rate = done / (time.perf_counter() - started)
            print(f"  … {done}/{args.count} inputs ({rate:.1f}/s)", flush=True)
    for driver in drivers:
        driver.join()
    elapsed = time.perf_counter() - started

    print(f"\n== {done} inputs in {elapsed:.0f} s ({args.workers} workers, {args.timeout:g} s limit per input)")
    print("\nOutcome                                  count")
    for key, n in sorted(outcomes.items(), key=lambda kv: (-kv[1], kv[0])):
        label = {"parsed": "parsed", "timeout": "TIMEOUT", "crashed": "CRASHED (child died)"}.get(key, key)
        label = label.replace("import_error:", "LedgerImportError/").replace("other:", "OTHER EXCEPTION ")
        print(f"  {label:<38} {n:>6}")
    print("\nBy format and mutation (parsed / import_error / failures)")
    for label in sorted(by_label):
        c = by_label[label]
        bad = sum(c[k] for k in ("other", "timeout", "crashed", "leak"))
        print(f"  {label:<32} {c['parsed']:>5} {c['import_error']:>6} {bad:>5}")
    print("\nSlowest inputs")
    for seconds, seed, label, key, size in sorted(slowest, reverse=True)[:8]:
        print(f"  {seconds:6.2f} s  seed {seed:<6} {label:<30} {key:<36} {size / 1024:,.0f} KB")
    if own_code:
        print("\nParser exceptions in our own code, reported to the user as a damaged file:")
        for where, cases in sorted(own_code.items(), key=lambda kv: -len(kv[1])):
            seeds = ", ".join(str(s) for s, _ in cases[:5])
            print(f"  {len(cases):>5} × {where}\n        e.g. seeds {seeds} ({cases[0][1]})")
    if failures:
        print(f"\nFAILURES ({len(failures)}): rerun one with `python scripts/fuzz_importers.py --only SEED`")
        for failure in failures[:30]:
            print(f"  seed {failure['seed']} {failure['case']} → {failure['outcome']}: {failure.get('message', '')}")
            for line in (failure.get("detail") or "").strip().splitlines()[-6:]:
                print(f"      {line}")
    if args.json:
        summary = {
            "inputs": done,
            "seconds": round(elapsed, 1),
            "outcomes": dict(outcomes),
            "by_case": {k: dict(v) for k, v in by_label.items()},
            "own_code_causes": {k: [s for s, _ in v] for k, v in own_code.items()},
            "failures": failures,
        }
        Path(args.json).write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
    ok = not failures and done >= args.count
    print("\nOK: every input ended parsed or with a LedgerImportError" if ok else "\nFAILED")
    return 0 if ok else 1


def _rerun(*, seed: int, timeout: float) -> int:
    _setup()
    from tests.fuzz.generators import case_from_seed
    from tests.fuzz.harness import FAILURES, ParseWorker

    case = case_from_seed(seed)
    out_dir = ROOT / "var" / "fuzz"
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"seed-{seed}-{case.mutation}-{Path(case.name).name}"
    path.write_bytes(case.data)
    with ParseWorker(timeout=timeout) as parser:
        outcome = parser.run(case)
    print(f"seed {seed}: {case.label} from {case.base}, {len(case.data):,} bytes, saved as {path}")
    print(f"outcome: {outcome.key} in {outcome.seconds:.2f} s")
    for text in (outcome.message, outcome.detail, outcome.own_code_cause):
        if text:
            print(text)
    return 1 if outcome.status in FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
