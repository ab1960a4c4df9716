"""The landing page: each role starts where its daily work is."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect

from ledger import roles


@login_required
def home(request):
    user = request.user
    if roles.is_clerk(user):
        return redirect("my_tasks")
    if roles.is_reviewer(user):
        return redirect("review")
    if roles.is_leader(user):
        return redirect("dashboard")
    if user.is_staff:
        return redirect("admin:index")
    return redirect("profile_missing")
