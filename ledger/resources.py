"""django-import-export resources, matched by natural keys so that importing
the same sheet twice updates rows instead of duplicating them."""

from __future__ import annotations

from import_export import fields, resources, widgets

from ledger.models import Ledger, ProgressEntry, ReportingPeriod, Subtask, Task, Unit

# Empty spreadsheet cells arrive as None; text columns store "".
TEXT = widgets.CharWidget(allow_blank=True)


class ListWidget(widgets.Widget):
    """A list of names in one cell, separated by 、 (or commas / new lines on input)."""

    def clean(self, value, row=None, **kwargs):
        if not value:
            return []
        text = str(value)
        for sep in ("\n", ",", "，", ";", "；"):
            text = text.replace(sep, "、")
        return [part.strip() for part in text.split("、") if part.strip()]

    def render(self, value, obj=None, **kwargs):
        return "、".join(value or [])


class UnitResource(resources.ModelResource):
    """Units by name; aliases as one 、-separated cell."""

    name = fields.Field(attribute="name", column_name="名称")
    short_name = fields.Field(attribute="short_name", column_name="简称", widget=TEXT)
    aliases = fields.Field(attribute="aliases", column_name="别名", widget=ListWidget())
    kind = fields.Field(attribute="kind", column_name="类型", widget=TEXT)
    active = fields.Field(attribute="active", column_name="启用", widget=widgets.BooleanWidget())

    class Meta:
        model = Unit
        import_id_fields = ["name"]
        fields = ["name", "short_name", "aliases", "kind", "active"]
        skip_unchanged = True
        report_skipped = True


class SubtaskResource(resources.ModelResource):
    """Sub-items keyed by ledger + year + task number + order, with their units."""

    ledger = fields.Field(column_name="台账", attribute="task__section__ledger__title", readonly=True)
    year = fields.Field(column_name="年度", attribute="task__section__ledger__year", readonly=True)
    task_number = fields.Field(column_name="序号", attribute="task__number", readonly=True)
    task_title = fields.Field(column_name="目标任务", attribute="task__title", readonly=True)
    order = fields.Field(column_name="顺序", attribute="order", widget=widgets.IntegerWidget())
    content = fields.Field(column_name="项目内容", attribute="content", widget=TEXT)
    stretch_target = fields.Field(column_name="年度奋斗目标", attribute="stretch_target", widget=TEXT)
    annual_target = fields.Field(column_name="年度目标", attribute="annual_target", widget=TEXT)
    deadline = fields.Field(column_name="完成时限", attribute="deadline", widget=widgets.DateWidget())
    units = fields.Field(column_name="责任单位", widget=ListWidget())

    class Meta:
        model = Subtask
        fields = [
            "ledger",
            "year",
            "task_number",
            "task_title",
            "order",
            "content",
            "stretch_target",
            "annual_target",
            "deadline",
            "units",
        ]
        skip_unchanged = True
        report_skipped = True

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("task__section__ledger")
            .prefetch_related("assignments__unit")
            .order_by("task__section__ledger", "task__section__order", "task__order", "order")
        )

    def dehydrate_units(self, subtask: Subtask) -> str:
        return "、".join(a.unit.name for a in subtask.assignments.all())

    def _task_for(self, row) -> Task:
        ledger = Ledger.objects.get(title=row["台账"], year=int(row["年度"]))
        return Task.objects.get(section__ledger=ledger, number=str(row["序号"]).strip())

    def get_instance(self, instance_loader, row):
        try:
            task = self._task_for(row)
        except (Ledger.DoesNotExist, Task.DoesNotExist, ValueError, KeyError) as exc:
            raise ValueError(f"找不到台账或任务：{row.get('台账')} {row.get('年度')} 序号{row.get('序号')}") from exc
        except Task.MultipleObjectsReturned as exc:
            raise ValueError(f"序号{row.get('序号')}在台账中不唯一") from exc
        return Subtask.objects.filter(task=task, order=int(row["顺序"])).first()

    def init_instance(self, row=None):
        return Subtask(task=self._task_for(row))

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        if field.column_name == "责任单位":
            instance._import_units = ListWidget().clean(row.get("责任单位"))
            return
        super().import_field(field, instance, row, is_m2m=is_m2m, **kwargs)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        units = getattr(instance, "_import_units", None)
        if original is not None and original.pk and units is not None:
            current = [a.unit.name for a in original.assignments.select_related("unit")]
            if current != units:
                return False
        return super().skip_row(instance, original, row, import_validation_errors)

    def after_save_instance(self, instance, row, **kwargs):
        if kwargs.get("dry_run") or getattr(instance, "_import_units", None) is None:
            return
        from ledger.services.units import set_subtask_units

        set_subtask_units(subtask=instance, unit_names=instance._import_units)


class ProgressEntryResource(resources.ModelResource):
    """Entries keyed by sub-item (its id) + period (ledger title, year and period code)."""

    subtask = fields.Field(column_name="项目内容ID", attribute="subtask_id", widget=widgets.IntegerWidget())
    ledger = fields.Field(column_name="台账", attribute="period__ledger__title", readonly=True)
    year = fields.Field(column_name="年度", attribute="period__ledger__year", readonly=True)
    period = fields.Field(column_name="期次", attribute="period__label", readonly=True)
    content = fields.Field(column_name="项目内容", attribute="subtask__content", readonly=True)
    progress = fields.Field(column_name="进展情况", attribute="progress", widget=TEXT)
    problems = fields.Field(column_name="存在问题", attribute="problems", widget=TEXT)
    next_steps = fields.Field(column_name="下步打算", attribute="next_steps", widget=TEXT)
    target = fields.Field(column_name="本期目标", attribute="target", widget=TEXT)
    status = fields.Field(column_name="状态", attribute="status", widget=TEXT)
    percent = fields.Field(column_name="完成百分比", attribute="percent", widget=widgets.IntegerWidget())
    review_state = fields.Field(column_name="审核状态", attribute="review_state", widget=TEXT)

    class Meta:
        model = ProgressEntry
        fields = [
            "subtask",
            "ledger",
            "year",
            "period",
            "content",
            "progress",
            "problems",
            "next_steps",
            "target",
            "status",
            "percent",
            "review_state",
        ]
        skip_unchanged = True
        report_skipped = True

    def get_queryset(self):
        return super().get_queryset().select_related("period__ledger", "subtask")

    def _period_for(self, row) -> ReportingPeriod:
        return ReportingPeriod.objects.get(
            ledger__title=row["台账"], ledger__year=int(row["年度"]), label=str(row["期次"]).strip()
        )

    def get_instance(self, instance_loader, row):
        try:
            period = self._period_for(row)
        except (ReportingPeriod.DoesNotExist, ValueError, KeyError) as exc:
            raise ValueError(f"找不到期次：{row.get('台账')} {row.get('年度')} {row.get('期次')}") from exc
        return ProgressEntry.objects.filter(subtask_id=int(row["项目内容ID"]), period=period).first()

    def init_instance(self, row=None):
        return ProgressEntry(period=self._period_for(row))

    def before_save_instance(self, instance, row, **kwargs):
        # An edit through a spreadsheet is still an edit: bump the version so
        # an open browser form holding the old version is refused.
        if instance.pk:
            instance.version += 1
