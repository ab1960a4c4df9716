"""Setup that every installation needs: the role groups and their permissions."""

from django.contrib.auth.models import Group, Permission

from ledger import roles

_VIEW_MODELS = ["unit", "ledger", "section", "task", "subtask", "subtaskunit", "reportingperiod", "progressentry"]
ROLE_PERMISSIONS: dict[str, list[str]] = {
    roles.CLERK: [f"view_{m}" for m in _VIEW_MODELS] + ["change_progressentry"],
    roles.REVIEWER: [f"view_{m}" for m in _VIEW_MODELS]
    + ["change_progressentry", "add_reportingperiod", "change_reportingperiod"],
    roles.LEADER: [f"view_{m}" for m in _VIEW_MODELS],
    roles.ADMIN: [f"{action}_{m}" for m in [*_VIEW_MODELS, "user"] for action in ("view", "add", "change", "delete")],
}


def ensure_role_groups() -> None:
    """Create the four role groups with their model permissions (idempotent)."""
    perms = {p.codename: p for p in Permission.objects.filter(content_type__app_label="ledger")}
    for name, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        wanted = [perms[c] for c in codenames if c in perms]
        group.permissions.set(wanted)
