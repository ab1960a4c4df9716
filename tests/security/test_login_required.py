"""No page answers an anonymous visitor except the login pages and static files.

Walks every URL pattern of the project (see urlwalk.py), so pages added later
by anyone are covered automatically.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.db import connection
from django.shortcuts import resolve_url
from django.urls import reverse

from tests.security.urlwalk import Route, iter_routes

# The only views a visitor may see before signing in.
PUBLIC = {"login", "admin:login"}

ROUTES = [r for r in iter_routes() if r.name not in PUBLIC]


def _login_paths(route: Route) -> set[str]:
    paths = {resolve_url(settings.LOGIN_URL)}
    if "admin" in route.namespaces:
        paths.add(reverse("admin:login"))
    return paths


def _assert_closed(route: Route, response, *, method: str) -> None:
    status = response.status_code
    if status in (301, 302, 303, 307, 308):
        target = urlsplit(response["Location"]).path
        assert target in _login_paths(route), f"{method} {route.url} ({route.name}) redirects to {target}, not login"
        return
    allowed = {405}  # method not allowed reveals nothing
    if method == "POST":
        allowed.add(403)  # CSRF or permission refusal
    if route.parameterized:
        allowed.add(404)  # the dummy argument names no object
    assert status in allowed, f"anonymous {method} {route.url} ({route.name}) answered {status}"


def test_walk_finds_the_project_pages() -> None:
    names = {r.name for r in iter_routes()}
    # A walk that found nothing would make every test below pass vacuously.
    assert {"login", "logout", "home", "admin:index", "admin:login"} <= names
    assert len(names) > 20


@pytest.mark.django_db
@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name)
def test_anonymous_get_is_sent_to_login(client, route: Route) -> None:
    _assert_closed(route, client.get(route.url), method="GET")


@pytest.mark.django_db
@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name)
def test_anonymous_post_changes_nothing(client, route: Route) -> None:
    before = _row_counts()
    response = client.post(route.url, {"progress": "anonymous", "version": "1"})
    # Logging out an anonymous visitor is the one harmless POST that succeeds.
    if route.name == "logout":
        assert response.status_code in (200, 302)
    else:
        _assert_closed(route, response, method="POST")
    after = _row_counts()
    changed = {t: (before[t], after[t]) for t in before if before[t] != after[t] and not t.startswith("django_session")}
    assert not changed, f"anonymous POST {route.url} changed rows: {changed}"


@pytest.mark.django_db
def test_login_page_is_public(client) -> None:
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert "登录" in response.content.decode()


def test_static_files_are_public(client) -> None:
    # whitenoise serves collected files in production; finders in development.
    assert finders.find("css/app.css"), "static/css/app.css is missing"


def _row_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        counts = {}
        for table in tables:
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts
