#!/usr/bin/env bash
# `make loadtest`: month-end filing against gunicorn on 127.0.0.1, PostgreSQL.
#
#   1. (re)creates the database ledger_load, migrates, builds the district
#      (loadtest/prepare.py: 2,000 sub-items × 12 months, 60 units, 200 clerks, 10 leaders);
#   2. starts gunicorn (4 sync workers, DEBUG=0, production settings without TLS) on a free loopback port;
#   3. runs locust headless: every user logs in, then 60 s of filing (loadtest/locustfile.py);
#   4. verifies the database against every save the clients were told succeeded (loadtest/verify.py);
#   5. prints requests, errors and p50/p95 per page, stops gunicorn and drops the database.
#
# Loopback only; locust stops itself after the steady phase and is also capped
# by -t and timeout. KEEP_DB=1 keeps the database for inspection.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=.venv/bin/python
PGURL_BASE=${LOADTEST_PG:-postgres://postgres@127.0.0.1:5432}
DB_NAME=ledger_load
STEADY=${LOADTEST_STEADY:-60}
CLERKS=${LOADTEST_CLERKS:-200}
LEADERS=${LOADTEST_LEADERS:-10}
SPAWN_RATE=${LOADTEST_SPAWN_RATE:-10}
WORKERS=${LOADTEST_WORKERS:-4}
OUT=var/loadtest/$(date +%Y%m%d-%H%M%S)
mkdir -p "$OUT"

for tool in psql pg_isready; do
  command -v "$tool" >/dev/null || { echo "loadtest: $tool not found (install postgresql-client)" >&2; exit 2; }
done
pg_isready -q -d "$PGURL_BASE/postgres" || { echo "loadtest: PostgreSQL is not reachable at $PGURL_BASE" >&2; exit 2; }

export DATABASE_URL="$PGURL_BASE/$DB_NAME"
export DEBUG=0 SECURE_SSL=0 ALLOWED_HOSTS=127.0.0.1,localhost AXES_ENABLED=1 LOG_LEVEL=ERROR
SECRET_KEY=$($PY -c 'import secrets; print(secrets.token_urlsafe(60))')
export SECRET_KEY
export STATIC_ROOT="$OUT/static"

gunicorn_pid=""
cleanup() {
  if [ -n "$gunicorn_pid" ] && kill -0 "$gunicorn_pid" 2>/dev/null; then
    kill "$gunicorn_pid" 2>/dev/null || true
    for _ in $(seq 1 20); do kill -0 "$gunicorn_pid" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$gunicorn_pid" 2>/dev/null || true
  fi
  rm -rf "$STATIC_ROOT"
  if [ "${KEEP_DB:-0}" != 1 ]; then
    psql -q "$PGURL_BASE/postgres" -c "DROP DATABASE IF EXISTS $DB_NAME WITH (FORCE)" >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT INT TERM

echo "== database $DB_NAME"
psql -q "$PGURL_BASE/postgres" -c "DROP DATABASE IF EXISTS $DB_NAME WITH (FORCE)" -c "CREATE DATABASE $DB_NAME" >/dev/null
$PY manage.py migrate --noinput -v0
$PY manage.py collectstatic --noinput -v0
$PY loadtest/prepare.py --accounts "$OUT/accounts.json" --clerks "$CLERKS" --leaders "$LEADERS"

PORT=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
echo "== gunicorn: $WORKERS workers on 127.0.0.1:$PORT"
.venv/bin/gunicorn config.wsgi:application --workers "$WORKERS" --bind "127.0.0.1:$PORT" \
  --timeout 60 --backlog 2048 --error-logfile "$OUT/gunicorn.log" 2>>"$OUT/django.log" &
gunicorn_pid=$!
for _ in $(seq 1 60); do
  curl -fso /dev/null "http://127.0.0.1:$PORT/login/" && break
  kill -0 "$gunicorn_pid" 2>/dev/null || { echo "gunicorn died:"; cat "$OUT/gunicorn.log"; exit 1; }
  sleep 0.5
done

echo "== locust: $CLERKS clerks + $LEADERS leaders, spawn $SPAWN_RATE/s, then ${STEADY}s of filing"
export LOADTEST_ACCOUNTS="$OUT/accounts.json" LOADTEST_LOG="$OUT/clients.jsonl" LOADTEST_STEADY="$STEADY"
: > "$LOADTEST_LOG"
# Hard caps: the run ends by itself after the steady phase; -t and timeout only guard a stuck run.
timeout --kill-after=10 $((STEADY + 380)) .venv/bin/locust -f loadtest/locustfile.py --headless \
  --host "http://127.0.0.1:$PORT" -u $((CLERKS + LEADERS)) -r "$SPAWN_RATE" -t $((STEADY + 300))s \
  --stop-timeout 5 --csv "$OUT/locust" --only-summary --loglevel WARNING > "$OUT/locust.out" 2>&1 || true

echo "== results of the steady ${STEADY}s (statistics reset once every user had logged in, plus 10 s to settle)"
$PY - "$OUT/locust_stats.csv" <<'PYEOF'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8")))
print(f"  {'page':<20} {'requests':>8} {'errors':>6} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7} {'req/s':>6}")
for r in rows:
    print(f"  {r['Name']:<20} {r['Request Count']:>8} {r['Failure Count']:>6} {r['50%']:>7} {r['95%']:>7} "
          f"{float(r['Max Response Time']):>7.0f} {float(r['Requests/s']):>6.1f}")
PYEOF
if [ -s "$OUT/locust_failures.csv" ] && [ "$(wc -l < "$OUT/locust_failures.csv")" -gt 1 ]; then
  echo "  failures:"; sed 's/^/    /' "$OUT/locust_failures.csv" | head -20
fi

$PY loadtest/verify.py --log "$LOADTEST_LOG" --accounts "$LOADTEST_ACCOUNTS" | tee "$OUT/verify.txt"
status=${PIPESTATUS[0]}
echo "(raw data in $OUT)"
exit "$status"
