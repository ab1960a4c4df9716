"""Month-end filing: 200 clerks save their unit's entries, 10 leaders watch the dashboard.

Run by scripts/loadtest.sh (loopback only). Environment:
  LOADTEST_ACCOUNTS  JSON written by loadtest/prepare.py
  LOADTEST_LOG       JSON-lines file: every login and every save answer
  LOADTEST_STEADY    seconds to measure once every user has logged in (60)
  LOADTEST_SETTLE    seconds between the last user being ready and the measurement (10)

Phases: every user logs in (a real POST /login/, Django's PBKDF2 cost) and
opens their first pages; once all have, and LOADTEST_SETTLE seconds later,
the statistics are reset and the steady phase runs for LOADTEST_STEADY seconds, after which the run stops
itself. Logins are logged to
LOADTEST_LOG with their latency, so the login storm is reported too.

A clerk opens 我的任务, then the whole-month form of the open period, and
saves rows there as the browser does (htmx POST of one row, carrying the
version the form showed). A 409 answer is the optimistic lock working — two
clerks of one unit on one row — and is logged, not counted as an error.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import threading
import time
import uuid
from pathlib import Path

import gevent
from locust import FastHttpUser, between, events, task

ACCOUNTS = json.loads(Path(os.environ["LOADTEST_ACCOUNTS"]).read_text(encoding="utf-8"))
LOG_PATH = os.environ["LOADTEST_LOG"]
STEADY_SECONDS = float(os.environ.get("LOADTEST_STEADY", "60"))
SETTLE_SECONDS = float(os.environ.get("LOADTEST_SETTLE", "10"))
TOTAL_USERS = len(ACCOUNTS["clerks"]) + len(ACCOUNTS["leaders"])

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
MONTH_LINK = re.compile(r'href="(/report/month/(\d+)/)"')
ROW_ACTION = re.compile(r'action="/report/month/(\d+)/row/(\d+)/"')
VERSION_INPUT = re.compile(r'name="s(\d+)-version"[^>]*value="(\d+)"|value="(\d+)"[^>]*name="s(\d+)-version"')

_clerk_names = itertools.cycle(ACCOUNTS["clerks"])
_leader_names = itertools.cycle(ACCOUNTS["leaders"])
_log_lock = threading.Lock()
_log = open(LOG_PATH, "a", encoding="utf-8")  # noqa: SIM115 — open for the whole run
_ready = 0


def record(**fields) -> None:
    with _log_lock:
        _log.write(json.dumps(fields, ensure_ascii=False) + "\n")
        _log.flush()


def _versions(html: str) -> dict[int, int]:
    out = {}
    for a, b, c, d in VERSION_INPUT.findall(html):
        sid, version = (a, b) if a else (d, c)
        out[int(sid)] = int(version)
    return out


class Filer(FastHttpUser):
    abstract = True
    username = ""

    def on_start(self) -> None:
        page = self.client.get("/login/", name="登录页")
        token = CSRF_INPUT.search(page.text or "")
        started = time.perf_counter()
        with self.client.post(
            "/login/",
            data={
                "username": self.username,
                "password": ACCOUNTS["password"],
                "csrfmiddlewaretoken": token[1] if token else "",
            },
            name="登录",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            ok = response.status_code == 302
            if not ok:
                response.failure(f"login {self.username}: {response.status_code}")
        record(kind="login", user=self.username, ok=ok, ms=(time.perf_counter() - started) * 1000, t=time.time())


def _count_ready() -> None:
    """Once everyone is in and has opened their first pages: reset the
    statistics, and stop after the steady phase. Counting from the last login
    instead would measure the queue the login storm left behind."""
    global _ready
    _ready += 1
    if _ready == TOTAL_USERS:
        record(kind="phase", name="all_ready", t=time.time())
        gevent.spawn_later(SETTLE_SECONDS, _start_steady, _environment["env"])


def _start_steady(environment) -> None:
    # Requests sent while the login storm still queued finish in the settle
    # time, not in the measured minute.
    environment.runner.stats.reset_all()
    record(kind="phase", name="steady_start", t=time.time())
    gevent.spawn_later(STEADY_SECONDS, _stop, environment)


def _stop(environment) -> None:
    record(kind="phase", name="steady_end", t=time.time())
    environment.runner.quit()


_environment: dict = {}


@events.init.add_listener
def _on_init(environment, **kwargs) -> None:
    _environment["env"] = environment


class Clerk(Filer):
    fixed_count = len(ACCOUNTS["clerks"])
    wait_time = between(5, 15)

    def on_start(self) -> None:
        self.username = next(_clerk_names)
        self.rows: dict[int, int] = {}  # subtask id -> version the form showed
        self.period_id = None
        self.month_url = None
        self.token = ""
        self.saves = 0
        super().on_start()
        self.open_my_tasks()
        self.open_month_form()
        _count_ready()

    def open_my_tasks(self) -> None:
        with self.client.get("/tasks/", name="我的任务", catch_response=True) as response:
            match = MONTH_LINK.search(response.text or "")
            if response.status_code != 200 or not match:
                response.failure(f"我的任务 without a month link ({response.status_code})")
                return
            self.month_url, self.period_id = match[1], int(match[2])

    def open_month_form(self) -> None:
        if not self.month_url:
            return
        with self.client.get(self.month_url, name="整月填报", catch_response=True) as response:
            html = response.text or ""
            if response.status_code != 200:
                response.failure(f"整月填报 {response.status_code}")
                return
            token = CSRF_INPUT.search(html)
            self.token = token[1] if token else ""
            rows = {int(sid) for _pid, sid in ROW_ACTION.findall(html)}
            versions = _versions(html)
            self.rows = {sid: versions.get(sid, 0) for sid in rows}
            if not self.rows:
                response.failure("整月填报 without rows")

    @task(8)
    def save_row(self) -> None:
        if not self.rows:
            self.open_month_form()
            return
        sid = random.choice(list(self.rows))
        version = self.rows[sid]
        action = "submit" if random.random() < 0.2 else "save"
        text = f"{self.username}第{self.saves + 1}次保存：本月已完成{random.randint(1, 99)}%。{uuid.uuid4().hex[:12]}"
        prefix = f"s{sid}"
        data = {
            "csrfmiddlewaretoken": self.token,
            "action": action,
            f"{prefix}-progress": text,
            f"{prefix}-problems": random.choice(["无", "资金缺口，需协调。", ""]),
            f"{prefix}-next_steps": "下步继续推进。",
            f"{prefix}-status": random.choice(["in_progress", "done", "delayed"]),
            f"{prefix}-percent": str(random.randint(0, 100)),
            f"{prefix}-version": str(version),
        }
        started = time.perf_counter()
        with self.client.post(
            f"/report/month/{self.period_id}/row/{sid}/",
            data=data,
            headers={"HX-Request": "true", "X-CSRFToken": self.token, "Referer": self.client.base_url + self.month_url},
            name="保存(整月填报行)",
            catch_response=True,
        ) as response:
            ms = (time.perf_counter() - started) * 1000
            answered = _versions(response.text or "").get(sid)
            if response.status_code == 200 and answered is not None:
                self.saves += 1
                self.rows[sid] = answered
                record(
                    kind="save",
                    user=self.username,
                    sid=sid,
                    pid=self.period_id,
                    sent_version=version,
                    version=answered,
                    progress=text,
                    action=action,
                    ms=ms,
                    t=time.time(),
                )
            elif response.status_code == 409:
                # The optimistic lock refused a stale form: correct behaviour.
                response.success()
                if answered is not None:
                    self.rows[sid] = answered
                record(
                    kind="conflict",
                    user=self.username,
                    sid=sid,
                    pid=self.period_id,
                    sent_version=version,
                    current=answered,
                    ms=ms,
                    t=time.time(),
                )
            else:
                response.failure(f"save {response.status_code}")
                record(
                    kind="save_error", user=self.username, sid=sid, status=response.status_code, ms=ms, t=time.time()
                )

    @task(1)
    def reload_my_tasks(self) -> None:
        self.open_my_tasks()

    @task(1)
    def reload_month_form(self) -> None:
        self.open_month_form()


class Leader(Filer):
    fixed_count = len(ACCOUNTS["leaders"])
    wait_time = between(5, 15)

    def on_start(self) -> None:
        self.username = next(_leader_names)
        super().on_start()
        self.dashboard()
        _count_ready()

    @task
    def dashboard(self) -> None:
        with self.client.get("/dashboard/", name="驾驶舱", catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"驾驶舱 {response.status_code}")
