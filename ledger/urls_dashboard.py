"""Routes of the dashboard pages."""

urlpatterns: list = []
