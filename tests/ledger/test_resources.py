"""import-export resources: an xlsx round trip matches rows by natural key."""

import pytest
import tablib

from ledger.models import ProgressEntry, Subtask, SubtaskUnit, Unit
from ledger.resources import ProgressEntryResource, SubtaskResource, UnitResource
from ledger.spreadsheet import SafeCSV, SafeXLSX
from tests import factories

pytestmark = pytest.mark.django_db


def _roundtrip(resource, dataset_transform=None, fmt=SafeXLSX):
    data = resource.export()
    loaded = fmt().create_dataset(fmt().export_data(data))
    if dataset_transform:
        dataset_transform(loaded)
    return resource.import_data(loaded, dry_run=False, raise_errors=True)


def test_units_roundtrip_changes_nothing():
    factories.UnitFactory(name="区住建局", aliases=["区住房和城乡建设局"], short_name="住建局")
    factories.UnitFactory(name="西集镇", kind=Unit.Kind.TOWN)
    before = list(Unit.objects.values())
    result = _roundtrip(UnitResource())
    assert result.totals["new"] == 0 and result.totals["update"] == 0
    assert list(Unit.objects.values()) == before


def test_units_import_twice_updates_rather_than_duplicates():
    dataset = tablib.Dataset(headers=["名称", "简称", "别名", "类型", "启用"])
    dataset.append(["区医保局", "医保局", "区医疗保障局、医保", "department", "1"])
    UnitResource().import_data(dataset, raise_errors=True)
    dataset[0] = ["区医保局", "医保局", "区医疗保障局", "department", "1"]
    result = UnitResource().import_data(dataset, raise_errors=True)
    assert Unit.objects.filter(name="区医保局").count() == 1
    assert result.totals["update"] == 1
    assert Unit.objects.get(name="区医保局").aliases == ["区医疗保障局"]


def test_entries_roundtrip_changes_nothing_and_edit_updates():
    entry = factories.EntryFactory(progress="完成招标", problems="无", target="=SUM(A1)")
    result = _roundtrip(ProgressEntryResource())
    assert result.totals["new"] == 0 and result.totals["update"] == 0
    entry.refresh_from_db()
    assert entry.version == 1

    def edit(ds):
        row = list(ds[0])
        row[ds.headers.index("进展情况")] = "完成招标并开工"
        ds[0] = row

    result = _roundtrip(ProgressEntryResource(), edit)
    assert result.totals["update"] == 1
    entry.refresh_from_db()
    assert entry.progress == "完成招标并开工"
    assert entry.version == 2
    assert ProgressEntry.objects.count() == 1


def test_subtasks_roundtrip_keeps_units_in_order():
    subtask = factories.SubtaskFactory(content="新建口袋公园6处")
    for i, name in enumerate(["区住建局", "区城乡水务局"]):
        factories.SubtaskUnitFactory(
            subtask=subtask, unit=factories.UnitFactory(name=name), order=i, role="lead" if i == 0 else "cooperating"
        )
    result = _roundtrip(SubtaskResource())
    assert result.totals["new"] == 0 and result.totals["update"] == 0

    def edit(ds):
        row = list(ds[0])
        row[ds.headers.index("责任单位")] = "区城乡水务局、区住建局、区财政局"
        ds[0] = row

    _roundtrip(SubtaskResource(), edit)
    assert Subtask.objects.count() == 1
    links = SubtaskUnit.objects.filter(subtask=subtask).order_by("order")
    assert [(link.unit.name, link.role) for link in links] == [
        ("区城乡水务局", "lead"),
        ("区住建局", "cooperating"),
        ("区财政局", "cooperating"),
    ]


@pytest.mark.parametrize("fmt", [SafeXLSX, SafeCSV])
def test_formula_like_text_survives_export_as_text(fmt):
    entry = factories.EntryFactory(progress='=HYPERLINK("http://x","点击")', problems="-1", next_steps="@A1")
    data = ProgressEntryResource().export()
    exported = fmt().export_data(data)
    if fmt is SafeXLSX:
        import io

        from openpyxl import load_workbook

        sheet = load_workbook(io.BytesIO(exported)).active
        cells = [c for row in sheet.iter_rows() for c in row if c.value and str(c.value).startswith("=HYPER")]
        assert cells and all(c.data_type == "s" for c in cells)
    else:
        assert "'=HYPERLINK" in exported
    result = ProgressEntryResource().import_data(fmt().create_dataset(exported), raise_errors=True)
    assert result.totals["update"] == 0
    entry.refresh_from_db()
    assert entry.progress.startswith("=HYPERLINK")
