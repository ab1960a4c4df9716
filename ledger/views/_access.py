"""Access decorators shared by the dashboard, list and ledger pages."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from ledger import roles


def read_all_required(view):
    """Leaders, reviewers and admins only; anonymous users go to the login page."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not roles.can_read_all(request.user):
            raise PermissionDenied("仅领导、审核员和管理员可以查看")
        return view(request, *args, **kwargs)

    return wrapper
