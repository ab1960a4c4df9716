"""Content-Security-Policy: scripts only from our own origin or with the nonce.

Checks the login page and every argument-free page of the project as each
role sees it, so pages added later are covered too.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.security.urlwalk import iter_routes

SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
ATTR = re.compile(r"""([a-zA-Z-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")
# Script types the browser does not execute (data blocks such as json_script).
DATA_TYPES = {"application/json", "application/ld+json", "text/template"}
# Event-handler attributes would be inline script that no nonce can allow.
INLINE_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.IGNORECASE)


def _policy(response) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy")
    assert header, f"no Content-Security-Policy header on {response.request['PATH_INFO']}"
    policy: dict[str, list[str]] = {}
    for directive in header.split(";"):
        parts = directive.split()
        if parts:
            policy[parts[0]] = parts[1:]
    return policy


def _check_page(response, *, own_page: bool = True) -> None:
    path = response.request["PATH_INFO"]
    assert "Content-Security-Policy-Report-Only" not in response.headers, "the policy must be enforced"
    policy = _policy(response)
    scripts = policy.get("script-src", policy.get("default-src"))
    assert scripts, path
    assert "'self'" in scripts, path
    nonces = [s for s in scripts if s.startswith("'nonce-")]
    assert set(scripts) - {"'self'"} == set(nonces), f"{path}: script-src allows more than self+nonce: {scripts}"
    assert len(nonces) <= 1
    assert policy.get("default-src") == ["'self'"], path
    assert policy.get("object-src") == ["'none'"], path
    assert policy.get("frame-ancestors") == ["'none'"], path
    for directive, sources in policy.items():
        assert "'unsafe-inline'" not in sources and "'unsafe-eval'" not in sources, f"{path}: {directive}"
        assert "*" not in sources, f"{path}: {directive} allows any origin"

    if "text/html" not in response.headers.get("Content-Type", ""):
        return
    html = response.content.decode()
    nonce = nonces[0][len("'nonce-") : -1] if nonces else None
    for match in SCRIPT_TAG.finditer(html):
        attrs = {m.group(1).lower(): m.group(2) or m.group(3) or m.group(4) or "" for m in ATTR.finditer(match[1])}
        if attrs.get("type", "").lower() in DATA_TYPES:
            continue
        if "src" in attrs:
            src = attrs["src"]
            assert src.startswith("/") and not src.startswith("//"), f"{path}: script from another origin: {src}"
        else:
            assert nonce and attrs.get("nonce") == nonce, f"{path}: inline script without the request's nonce"
    # Third-party admin pages (django-import-export's export form has an
    # onclick) only lose that convenience under the policy; our pages must not.
    handler = INLINE_HANDLER.search(html) if own_page else None
    assert handler is None, f"{path}: inline event handler {handler[0][:80]!r} is blocked by the CSP"


@pytest.mark.django_db
def test_login_page_has_the_policy(client) -> None:
    response = client.get(reverse("login"))
    assert response.status_code == 200
    _check_page(response)


@pytest.mark.django_db
def test_redirects_and_errors_carry_the_policy_too(client) -> None:
    _policy(client.get(reverse("home")))
    _policy(client.get("/no-such-page/"))


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["clerk", "reviewer", "leader", "admin_user"])
def test_every_page_has_the_policy(client, request, who: str) -> None:
    user = request.getfixturevalue(who)
    client.force_login(user)
    # A page that crashes is its own tests' business; this one checks the policy
    # on every page that renders.
    client.raise_request_exception = False
    checked = 0
    for route in iter_routes():
        if route.parameterized or route.name in {"logout", "admin:logout"}:
            continue
        response = client.get(route.url)
        if response.status_code == 200:
            _check_page(response, own_page="admin" not in route.namespaces)
            checked += 1
    assert checked, f"no page answered 200 for {who}"
