"""factory-boy factories for the ledger domain."""

import datetime as dt

import factory
from django.contrib.auth.models import Group

from ledger import roles
from ledger.models import Ledger, ProgressEntry, ReportingPeriod, Section, Subtask, SubtaskUnit, Task, Unit, User


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"区测试局{n}")


class LedgerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Ledger

    title = factory.Sequence(lambda n: f"2024年民生实事台账{n}")
    kind = Ledger.Kind.MINSHENG
    year = 2024
    region = "山亭区"
    cadence = Ledger.Cadence.MONTH


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Section

    ledger = factory.SubFactory(LedgerFactory)
    order = factory.Sequence(lambda n: n + 1)
    name = ""


class TaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Task

    section = factory.SubFactory(SectionFactory)
    order = factory.Sequence(lambda n: n + 1)
    number = factory.LazyAttribute(lambda o: str(o.order))
    title = factory.Sequence(lambda n: f"目标任务{n}")


class SubtaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Subtask

    task = factory.SubFactory(TaskFactory)
    order = factory.Sequence(lambda n: n + 1)
    content = factory.Sequence(lambda n: f"项目内容{n}")


class SubtaskUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SubtaskUnit

    subtask = factory.SubFactory(SubtaskFactory)
    unit = factory.SubFactory(UnitFactory)
    role = SubtaskUnit.Role.LEAD


class PeriodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReportingPeriod

    ledger = factory.SubFactory(LedgerFactory)
    kind = "month"
    start = dt.date(2024, 6, 1)
    end = dt.date(2024, 6, 30)
    label = "2024年6月"
    due_date = dt.date(2024, 7, 5)


class EntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgressEntry

    subtask = factory.SubFactory(SubtaskFactory)
    period = factory.SubFactory(PeriodFactory)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("pass12345")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(Group.objects.get(name=extracted))
            if extracted == roles.ADMIN:
                self.is_staff = True
                self.save(update_fields=["is_staff"])


def build_ledger(
    *,
    tasks: int = 3,
    subtasks_per_task: int = 2,
    units=None,
    period=None,
    section_name: str = "一、民生实事（共N项）",
    review_state: str = ProgressEntry.ReviewState.APPROVED,
    status: str = ProgressEntry.Status.IN_PROGRESS,
    ledger=None,
):
    """A ledger with one section, `tasks` tasks of `subtasks_per_task` sub-items,
    each assigned round-robin to `units` and with an entry in `period`."""
    ledger = ledger or LedgerFactory()
    period = period or PeriodFactory(ledger=ledger)
    units = units or [UnitFactory()]
    count = tasks * subtasks_per_task
    section = SectionFactory(
        ledger=ledger, order=1, name=section_name.replace("N", str(count)), declared_count=count, columns=[]
    )
    n = 0
    for t in range(1, tasks + 1):
        task = TaskFactory(section=section, order=t, number=str(t), title=f"目标任务{t}")
        for s in range(1, subtasks_per_task + 1):
            sub = SubtaskFactory(task=task, order=s, content=f"任务{t}的项目内容{s}")
            SubtaskUnitFactory(subtask=sub, unit=units[n % len(units)], order=0)
            EntryFactory(
                subtask=sub,
                period=period,
                progress=f"进展{t}-{s}",
                problems="无",
                next_steps=f"打算{t}-{s}",
                status=status,
                review_state=review_state,
            )
            n += 1
    return ledger, period
