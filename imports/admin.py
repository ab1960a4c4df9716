"""Admin for import jobs: read-only, for tracing what was imported when and by whom."""

from django.contrib import admin

from imports.models import ImportJob


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = ["original_name", "status", "ledger", "period_code", "created_by", "created_at", "finished_at"]
    list_filter = ["status"]
    search_fields = ["original_name", "message"]
    list_select_related = ["ledger", "created_by"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in ImportJob._meta.fields]

    def has_add_permission(self, request):
        # Jobs come from the upload page only: a row without its file means nothing.
        return False
