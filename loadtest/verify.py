"""After `make loadtest`: every save the server confirmed is in the database.

Reads the JSON-lines log of the locust clients and checks, per entry
(sub-item × period) of the open period:
  * the confirmed versions are exactly 1, 2, …, n — no version confirmed
    twice (a lost update) and none missing;
  * the entry in the database has version n and the text of save n;
  * its history holds every confirmed save (version and text), and nothing
    else: no write that no client was told about, no write doubled;
  * no entry exists that no client saved.
Then prints the login storm and the steady phase's save latencies. Exit 1 on
any violation.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--log", required=True)
    parser.add_argument("--accounts", required=True)
    parser.add_argument("--p95-target-ms", type=float, default=300.0)
    args = parser.parse_args()

    import django

    django.setup()
    from ledger.models import ProgressEntry

    accounts = json.loads(Path(args.accounts).read_text(encoding="utf-8"))
    records = [json.loads(line) for line in Path(args.log).read_text(encoding="utf-8").splitlines() if line.strip()]
    saves = [r for r in records if r["kind"] == "save"]
    conflicts = [r for r in records if r["kind"] == "conflict"]
    save_errors = [r for r in records if r["kind"] == "save_error"]
    logins = [r for r in records if r["kind"] == "login"]
    phases = {r["name"]: r["t"] for r in records if r["kind"] == "phase"}

    problems: list[str] = []
    by_entry: dict[tuple[int, int], list[dict]] = collections.defaultdict(list)
    for save in saves:
        by_entry[(save["sid"], save["pid"])].append(save)

    period_id = accounts["period_id"]
    entries = {
        (e.subtask_id, e.period_id): e
        for e in ProgressEntry.objects.filter(period_id=period_id).only(
            "id", "subtask_id", "period_id", "version", "progress"
        )
    }
    history = collections.defaultdict(list)
    for h in ProgressEntry.history.filter(period_id=period_id).values("subtask_id", "period_id", "version", "progress"):
        history[(h["subtask_id"], h["period_id"])].append((h["version"], h["progress"]))

    for key, confirmed in by_entry.items():
        versions = sorted(s["version"] for s in confirmed)
        if versions != list(range(1, len(versions) + 1)):
            doubled = [v for v, n in collections.Counter(versions).items() if n > 1]
            problems.append(f"entry {key}: confirmed versions {versions[:12]}… (doubled: {doubled})")
        entry = entries.get(key)
        if entry is None:
            problems.append(f"entry {key}: {len(confirmed)} confirmed saves but no row in the database")
            continue
        last = max(confirmed, key=lambda s: s["version"])
        if entry.version != last["version"] or entry.progress != last["progress"]:
            problems.append(
                f"entry {key}: database has v{entry.version} {entry.progress[:30]!r}, "
                f"last confirmed v{last['version']} {last['progress'][:30]!r}"
            )
        stored = collections.Counter(history.get(key, []))
        wanted = collections.Counter((s["version"], s["progress"]) for s in confirmed)
        if stored != wanted:
            missing = wanted - stored
            extra = stored - wanted
            problems.append(
                f"entry {key}: history differs — missing {list(missing)[:3]}, unconfirmed {list(extra)[:3]}"
            )
    phantom = set(entries) - set(by_entry)
    if phantom:
        problems.append(f"{len(phantom)} entries exist that no client saved: {sorted(phantom)[:5]}")

    # By the time a save was sent: one sent before the measured minute is not part of it.
    start, end = phases.get("steady_start", 0), phases.get("steady_end", float("inf"))
    steady = [s for s in saves if start <= s["t"] - s["ms"] / 1000 <= end]
    login_ms = [r["ms"] for r in logins]
    login_span = (max(r["t"] for r in logins) - min(r["t"] for r in logins)) if logins else 0
    print("\n== Verification against the database")
    submits = sum(s["action"] == "submit" for s in saves)
    print(f"  confirmed saves        {len(saves)} (on {len(by_entry)} entries; {submits} were submits)")
    print(
        f"  409 conflicts          {len(conflicts)} (two clerks of one unit on one row; refused, nothing overwritten)"
    )
    print(f"  failed saves           {len(save_errors)}")
    print(f"  lost or doubled writes {len(problems)}")
    for problem in problems[:20]:
        print(f"    ✗ {problem}")
    print("\n== Login storm (before the steady phase; Django PBKDF2, 2 cores)")
    print(
        f"  {len(logins)} logins ({sum(not r['ok'] for r in logins)} failed) over {login_span:.0f} s: "
        f"p50 {_pct(login_ms, 0.5):.0f} ms, p95 {_pct(login_ms, 0.95):.0f} ms, max {max(login_ms, default=0):.0f} ms"
    )
    save_ms = [s["ms"] for s in steady]
    if save_ms:
        print("\n== Saves in the steady phase (client-side, incl. queueing)")
        print(
            f"  {len(save_ms)} saves: p50 {statistics.median(save_ms):.0f} ms, p95 {_pct(save_ms, 0.95):.0f} ms, "
            f"p99 {_pct(save_ms, 0.99):.0f} ms, max {max(save_ms):.0f} ms"
        )
        p95 = _pct(save_ms, 0.95)
        verdict = "met" if p95 < args.p95_target_ms else "NOT met"
        # Reported, not enforced: latency depends on the machine; correctness does not.
        print(f"  target save p95 < {args.p95_target_ms:.0f} ms: {verdict}")
    ok = not problems and not save_errors and not any(not r["ok"] for r in logins) and saves
    print(
        "\nVERIFIED: every confirmed save is in the database, none lost or doubled" if ok else "\nVERIFICATION FAILED"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
