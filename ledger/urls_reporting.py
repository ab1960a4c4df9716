"""Routes of the reporting pages: clerks report, the office reviews, chases and locks."""

from django.urls import path

from ledger.views import chase, periods, reporting, review

urlpatterns = [
    path("tasks/", reporting.my_tasks, name="my_tasks"),
    path("report/<int:subtask_id>/<int:period_id>/", reporting.entry_edit, name="entry_edit"),
    path("report/month/<int:period_id>/", reporting.month_form, name="month_form"),
    path("report/month/<int:period_id>/row/<int:subtask_id>/", reporting.month_row, name="month_row"),
    path("report/month/<int:period_id>/submit-all/", reporting.month_submit_all, name="month_submit_all"),
    path("review/", review.review, name="review"),
    path("review/approve/", review.approve_bulk, name="review_approve_bulk"),
    path("review/<int:entry_id>/approve/", review.approve, name="review_approve"),
    path("review/<int:entry_id>/return/", review.return_entry, name="review_return"),
    path("chase/", chase.chase, name="chase"),
    path("chase/export.<str:fmt>", chase.chase_export, name="chase_export"),
    path("periods/", periods.periods, name="periods"),
    path("periods/ledger/<int:ledger_id>/open/", periods.period_open, name="period_open"),
    path("periods/<int:period_id>/due/", periods.period_due, name="period_due"),
    path("periods/<int:period_id>/lock/", periods.period_lock, name="period_lock"),
    path("periods/<int:period_id>/unlock/", periods.period_unlock, name="period_unlock"),
]
