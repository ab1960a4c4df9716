"""The ledger domain: units, ledgers, their sections, tasks and sub-items,
reporting periods and the progress entries units file for each period."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from ledger import periods


class Unit(models.Model):
    """A responsible unit (责任单位): a bureau, a town or street, a state firm."""

    class Kind(models.TextChoices):
        DEPARTMENT = "department", "部门"
        TOWN = "town", "镇街"
        STATE_FIRM = "state_firm", "国有企业"
        OTHER = "other", "其他"

    name = models.CharField("名称", max_length=100)
    short_name = models.CharField("简称", max_length=50, blank=True)
    aliases = models.JSONField(
        "别名", default=list, blank=True, help_text="同一单位的其他写法，如“区住建局”与“区住房和城乡建设局”"
    )
    kind = models.CharField("类型", max_length=20, choices=Kind.choices, default=Kind.DEPARTMENT)
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "责任单位"
        verbose_name_plural = "责任单位"
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["name"], name="unit_name_unique")]

    def __str__(self) -> str:
        return self.name

    def natural_key(self) -> tuple[str]:
        return (self.name,)

    @property
    def display_name(self) -> str:
        return self.short_name or self.name

    def all_names(self) -> list[str]:
        return [n for n in [self.name, self.short_name, *(self.aliases or [])] if n]


class User(AbstractUser):
    """A person who signs in; clerks belong to exactly one unit."""

    unit = models.ForeignKey(
        Unit, verbose_name="所属单位", null=True, blank=True, on_delete=models.SET_NULL, related_name="users"
    )

    class Meta(AbstractUser.Meta):
        verbose_name = "用户"
        verbose_name_plural = "用户"
        ordering = ["username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class Ledger(models.Model):
    """A year's ledger (台账) of tasks, e.g. 2024年民生实事 of 山亭区."""

    class Kind(models.TextChoices):
        MINSHENG = "minsheng", "民生实事"
        WORK_REPORT = "work_report", "政府工作报告"
        OTHER = "other", "其他"

    class Cadence(models.TextChoices):
        MONTH = periods.MONTH, "月度"
        QUARTER = periods.QUARTER, "季度"
        HALF = periods.HALF, "半年"
        YEAR = periods.YEAR, "年度"

    title = models.CharField("标题", max_length=200)
    kind = models.CharField("类型", max_length=20, choices=Kind.choices, default=Kind.OTHER)
    year = models.PositiveSmallIntegerField("年度")
    region = models.CharField("地区", max_length=50, blank=True)
    cadence = models.CharField("报送周期", max_length=10, choices=Cadence.choices, default=Cadence.MONTH)
    columns = models.JSONField("表头", default=list, blank=True, help_text="台账自身的列名，导出时沿用")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "台账"
        verbose_name_plural = "台账"
        ordering = ["-year", "title"]
        constraints = [models.UniqueConstraint(fields=["title", "year"], name="ledger_title_year_unique")]

    def __str__(self) -> str:
        return self.title


class Section(models.Model):
    """A section of a ledger as printed, e.g. “一、主要经济指标（共14项）”."""

    ledger = models.ForeignKey(Ledger, verbose_name="台账", on_delete=models.CASCADE, related_name="sections")
    order = models.PositiveIntegerField("顺序")
    name = models.CharField("名称", max_length=300, blank=True)
    declared_count = models.PositiveIntegerField("声明项数", null=True, blank=True, help_text="“共N项”中的N")
    columns = models.JSONField("表头", default=list, blank=True)

    class Meta:
        verbose_name = "板块"
        verbose_name_plural = "板块"
        ordering = ["ledger", "order"]
        constraints = [models.UniqueConstraint(fields=["ledger", "order"], name="section_ledger_order_unique")]

    def __str__(self) -> str:
        return self.name or f"{self.ledger}（不分板块）"


class Task(models.Model):
    """A target task (目标任务 / 事项) with its number as printed."""

    section = models.ForeignKey(Section, verbose_name="板块", on_delete=models.CASCADE, related_name="tasks")
    number = models.CharField("序号", max_length=20, blank=True)
    title = models.TextField("目标任务", blank=True)
    order = models.PositiveIntegerField("顺序")

    class Meta:
        verbose_name = "目标任务"
        verbose_name_plural = "目标任务"
        ordering = ["section", "order"]
        constraints = [
            models.UniqueConstraint(fields=["section", "order"], name="task_section_order_unique"),
            models.UniqueConstraint(
                fields=["section", "number"], condition=~Q(number=""), name="task_section_number_unique"
            ),
        ]

    def __str__(self) -> str:
        label = self.title.splitlines()[0] if self.title else ""
        return f"{self.number}. {label}".strip(". ") if label else f"任务{self.number}"


class Subtask(models.Model):
    """A sub-item (项目内容) of a task: what is to be done, by whom."""

    task = models.ForeignKey(Task, verbose_name="目标任务", on_delete=models.CASCADE, related_name="subtasks")
    order = models.PositiveIntegerField("顺序")
    content = models.TextField("项目内容")
    stretch_target = models.TextField("年度奋斗目标", blank=True)
    annual_target = models.TextField("年度目标", blank=True)
    deadline = models.DateField("完成时限", null=True, blank=True)
    units = models.ManyToManyField(
        Unit, verbose_name="责任单位", through="SubtaskUnit", related_name="subtasks", blank=True
    )
    source_file = models.CharField("来源文件", max_length=255, blank=True)
    source_table = models.PositiveIntegerField("来源表格", null=True, blank=True)
    source_row = models.PositiveIntegerField("来源行", null=True, blank=True)
    source_page = models.PositiveIntegerField("来源页", null=True, blank=True)

    class Meta:
        verbose_name = "项目内容"
        verbose_name_plural = "项目内容"
        ordering = ["task", "order"]
        constraints = [models.UniqueConstraint(fields=["task", "order"], name="subtask_task_order_unique")]

    def __str__(self) -> str:
        return self.content[:40]


class SubtaskUnit(models.Model):
    """A unit named on a sub-item, with its role: lead (牵头) or cooperating (配合)."""

    class Role(models.TextChoices):
        LEAD = "lead", "牵头"
        COOPERATING = "cooperating", "配合"

    subtask = models.ForeignKey(Subtask, verbose_name="项目内容", on_delete=models.CASCADE, related_name="assignments")
    unit = models.ForeignKey(Unit, verbose_name="责任单位", on_delete=models.PROTECT, related_name="assignments")
    role = models.CharField("角色", max_length=20, choices=Role.choices, default=Role.LEAD)
    order = models.PositiveSmallIntegerField("顺序", default=0)
    printed_name = models.CharField(
        "台账中的写法", max_length=100, blank=True, help_text="原台账中该单位的写法，导出时沿用"
    )

    class Meta:
        verbose_name = "责任分工"
        verbose_name_plural = "责任分工"
        ordering = ["subtask", "order"]
        constraints = [models.UniqueConstraint(fields=["subtask", "unit"], name="subtaskunit_subtask_unit_unique")]

    def __str__(self) -> str:
        return f"{self.unit}（{self.get_role_display()}）"


class ReportingPeriod(models.Model):
    """A reporting period of a ledger: a month, quarter, half-year or year."""

    ledger = models.ForeignKey(Ledger, verbose_name="台账", on_delete=models.CASCADE, related_name="periods")
    kind = models.CharField("周期", max_length=10, choices=Ledger.Cadence.choices)
    start = models.DateField("开始日期")
    end = models.DateField("结束日期")
    label = models.CharField("名称", max_length=50)
    title = models.CharField("本期台账标题", max_length=200, blank=True)
    due_date = models.DateField("报送截止日期", null=True, blank=True)
    locked = models.BooleanField("已锁定", default=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "报送期次"
        verbose_name_plural = "报送期次"
        ordering = ["ledger", "start", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["ledger", "start", "kind"], name="period_ledger_start_kind_unique"),
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="period_end_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.ledger} · {self.label}"

    @property
    def value(self) -> periods.Period:
        """The period as a plain value (for codes such as "2025-Q1")."""
        index = {
            periods.MONTH: self.start.month,
            periods.QUARTER: (self.start.month - 1) // 3 + 1,
            periods.HALF: 1 if self.start.month <= 6 else 2,
        }.get(self.kind)
        return periods.Period(self.start.year, self.kind, index)

    @property
    def code(self) -> str:
        return self.value.code


class ProgressEntry(models.Model):
    """What a unit reports on one sub-item for one period."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "未启动"
        IN_PROGRESS = "in_progress", "推进中"
        DONE = "done", "已完成"
        DELAYED = "delayed", "滞后"
        NO_TASK = "no_task", "本期无任务"

    class ReviewState(models.TextChoices):
        DRAFT = "draft", "草稿"
        SUBMITTED = "submitted", "已提交"
        RETURNED = "returned", "已退回"
        APPROVED = "approved", "已审核"

    subtask = models.ForeignKey(Subtask, verbose_name="项目内容", on_delete=models.CASCADE, related_name="entries")
    period = models.ForeignKey(
        ReportingPeriod, verbose_name="报送期次", on_delete=models.CASCADE, related_name="entries"
    )
    progress = models.TextField("进展情况", blank=True)
    problems = models.TextField("存在问题", blank=True)
    next_steps = models.TextField("下步打算", blank=True)
    target = models.TextField("本期目标", blank=True)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.NOT_STARTED)
    percent = models.PositiveSmallIntegerField(
        "完成百分比", null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    review_state = models.CharField("审核状态", max_length=20, choices=ReviewState.choices, default=ReviewState.DRAFT)
    reviewer_comment = models.TextField("审核意见", blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="提交人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="submitted_entries",
    )
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    version = models.PositiveIntegerField("版本", default=1)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    source_file = models.CharField("来源文件", max_length=255, blank=True)
    source_table = models.PositiveIntegerField("来源表格", null=True, blank=True)
    source_row = models.PositiveIntegerField("来源行", null=True, blank=True)
    source_page = models.PositiveIntegerField("来源页", null=True, blank=True)
    history = HistoricalRecords(verbose_name="进展填报历史")

    class Meta:
        verbose_name = "进展填报"
        verbose_name_plural = "进展填报"
        ordering = ["period", "subtask"]
        constraints = [
            models.UniqueConstraint(fields=["subtask", "period"], name="entry_subtask_period_unique"),
            models.CheckConstraint(
                condition=Q(percent__isnull=True) | Q(percent__gte=0, percent__lte=100), name="entry_percent_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subtask} · {self.period.label}"
