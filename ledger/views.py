"""Pages of the ledger app. Thin: reads go through selectors, writes through services."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect


@login_required
def home(request):
    return redirect("admin:index")
