"""Routes of the dashboard, the lists and the ledger view."""

from django.urls import path

from ledger.views import dashboard, ledger_view, lists

urlpatterns = [
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("ledgers/", ledger_view.ledger_index, name="ledger_index"),
    path("ledgers/<int:ledger_id>/", ledger_view.ledger_table, name="ledger_table"),
    path("ledgers/<int:ledger_id>/export/", ledger_view.ledger_export, name="ledger_export"),
    path("lists/subtasks/", lists.subtask_list, name="subtask_list"),
    path("lists/entries/", lists.entry_list, name="entry_list"),
]
