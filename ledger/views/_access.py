"""Access decorators shared by the dashboard, list and ledger pages."""

from __future__ import annotations

from ledger import roles

# Leaders, reviewers and admins only; anonymous users go to the login page.
read_all_required = roles.role_required(roles.can_read_all, "仅领导、审核员和管理员可以查看")
