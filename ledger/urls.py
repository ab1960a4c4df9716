"""Routes of the ledger app: one module per area so each stays small."""

from django.urls import include, path
from django.views.generic import TemplateView

from ledger.views import home

urlpatterns = [
    path("", home.home, name="home"),
    path(
        "no-role/",
        TemplateView.as_view(template_name="ledger/profile_missing.html"),
        name="profile_missing",
    ),
    path("", include("ledger.urls_reporting")),
    path("", include("ledger.urls_dashboard")),
]
