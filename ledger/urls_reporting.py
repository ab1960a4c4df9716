"""Routes of the reporting pages."""

urlpatterns: list = []
