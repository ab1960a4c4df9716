"""The admin: the first working interface over every model."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from import_export.admin import ImportExportModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from ledger.models import (
    Ledger,
    ProgressEntry,
    ReportingPeriod,
    Section,
    Subtask,
    SubtaskUnit,
    Task,
    Unit,
    User,
)
from ledger.resources import ProgressEntryResource, SubtaskResource, UnitResource
from ledger.spreadsheet import SafeCSV, SafeXLSX

FORMATS = [SafeXLSX, SafeCSV]


@admin.register(Unit)
class UnitAdmin(ImportExportModelAdmin):
    resource_classes = [UnitResource]
    formats = FORMATS
    list_display = ["name", "short_name", "kind", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["name", "short_name", "aliases"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "first_name", "unit", "is_active", "is_staff"]
    list_filter = ["groups", "is_active", "is_staff", "unit__kind"]
    list_select_related = ["unit"]
    search_fields = ["username", "first_name", "last_name", "unit__name"]
    fieldsets = (*BaseUserAdmin.fieldsets, ("所属单位", {"fields": ["unit"]}))
    add_fieldsets = (*BaseUserAdmin.add_fieldsets, ("所属单位", {"fields": ["unit"]}))
    autocomplete_fields = ["unit"]


class SectionInline(admin.TabularInline):
    model = Section
    extra = 0
    fields = ["order", "name", "declared_count"]


@admin.register(Ledger)
class LedgerAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "year", "region", "cadence"]
    list_filter = ["kind", "year", "cadence", "region"]
    search_fields = ["title", "region"]
    inlines = [SectionInline]


class TaskInline(admin.TabularInline):
    model = Task
    extra = 0
    fields = ["order", "number", "title"]


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["name", "ledger", "order", "declared_count"]
    list_filter = ["ledger"]
    list_select_related = ["ledger"]
    search_fields = ["name", "ledger__title"]
    inlines = [TaskInline]


class SubtaskInline(admin.StackedInline):
    model = Subtask
    extra = 0
    fields = ["order", "content", "stretch_target", "annual_target", "deadline"]
    show_change_link = True


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "section", "order"]
    list_filter = ["section__ledger"]
    list_select_related = ["section__ledger"]
    search_fields = ["number", "title", "subtasks__content"]
    inlines = [SubtaskInline]


class SubtaskUnitInline(admin.TabularInline):
    model = SubtaskUnit
    extra = 0
    autocomplete_fields = ["unit"]


class ProgressEntryInline(admin.StackedInline):
    model = ProgressEntry
    extra = 0
    fields = ["period", "status", "review_state", "progress", "problems", "next_steps", "target", "percent"]
    show_change_link = True


@admin.register(Subtask)
class SubtaskAdmin(ImportExportModelAdmin):
    resource_classes = [SubtaskResource]
    formats = FORMATS
    list_display = ["__str__", "task", "order", "deadline", "source_file"]
    list_filter = ["task__section__ledger", "assignments__unit"]
    list_select_related = ["task__section__ledger"]
    search_fields = ["content", "task__title", "task__number"]
    inlines = [SubtaskUnitInline, ProgressEntryInline]
    raw_id_fields = ["task"]


@admin.register(SubtaskUnit)
class SubtaskUnitAdmin(admin.ModelAdmin):
    list_display = ["subtask", "unit", "role", "order"]
    list_filter = ["role", "unit"]
    list_select_related = ["subtask", "unit"]
    search_fields = ["unit__name", "subtask__content"]
    raw_id_fields = ["subtask"]


@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(admin.ModelAdmin):
    list_display = ["label", "ledger", "kind", "start", "end", "due_date", "locked"]
    list_filter = ["ledger", "kind", "locked"]
    list_select_related = ["ledger"]
    search_fields = ["label", "ledger__title"]


@admin.register(ProgressEntry)
class ProgressEntryAdmin(ImportExportModelAdmin, SimpleHistoryAdmin):
    resource_classes = [ProgressEntryResource]
    formats = FORMATS
    list_display = ["subtask", "period", "status", "review_state", "percent", "version", "updated_at"]
    list_filter = ["period__ledger", "period", "status", "review_state"]
    list_select_related = ["subtask", "period__ledger"]
    search_fields = ["progress", "problems", "next_steps", "subtask__content"]
    raw_id_fields = ["subtask", "submitted_by"]
    readonly_fields = ["version", "submitted_at"]
