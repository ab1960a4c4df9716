"""Roles are Django groups; these helpers are the one place that names them.

Permission checks on the server (selectors and services) use these, so a
template that hides a button is never the only guard.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

CLERK = "填报员"
REVIEWER = "审核员"
LEADER = "领导"
ADMIN = "管理员"
ALL_ROLES = (CLERK, REVIEWER, LEADER, ADMIN)


def group_names(user) -> frozenset[str]:
    """The user's group names, cached on the user object for the request."""
    if user is None or isinstance(user, AnonymousUser) or not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_role_names", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        user._role_names = cached
    return cached


def is_admin(user) -> bool:
    return bool(user and user.is_authenticated and (user.is_superuser or ADMIN in group_names(user)))


def is_reviewer(user) -> bool:
    return is_admin(user) or REVIEWER in group_names(user)


def is_leader(user) -> bool:
    return LEADER in group_names(user)


def is_clerk(user) -> bool:
    return CLERK in group_names(user) and getattr(user, "unit_id", None) is not None


def can_read_all(user) -> bool:
    """Leaders, reviewers and admins read every unit's data."""
    return is_reviewer(user) or is_leader(user)


def role_label(user) -> str:
    for check, label in ((is_admin, ADMIN), (is_reviewer, REVIEWER), (is_leader, LEADER), (is_clerk, CLERK)):
        if check(user):
            return label
    return ""


def role_required(check, message: str):
    """View decorator: anonymous users go to the login page; signed-in users
    for whom ``check(user)`` is false get 403 with ``message``."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not check(request.user):
                raise PermissionDenied(message)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
