"""Template context: the signed-in user's role, for navigation only."""

from ledger import roles as role_checks


def roles(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "role_label": role_checks.role_label(user),
        "is_clerk": role_checks.is_clerk(user),
        "is_reviewer": role_checks.is_reviewer(user),
        "is_leader": role_checks.is_leader(user),
        "is_admin_role": role_checks.is_admin(user),
        "can_read_all": role_checks.can_read_all(user),
    }
