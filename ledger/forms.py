"""Forms of the reporting pages; they only parse input, services decide."""

from __future__ import annotations

from django import forms

from ledger.models import ProgressEntry
from ledger.services.entries import EntryInput

_TEXTAREA = {"class": "form-control", "rows": 3}


class EntryForm(forms.Form):
    """One sub-item's entry; ``version`` is the entry version the form shows."""

    progress = forms.CharField(label="进展情况", required=False, widget=forms.Textarea(attrs={**_TEXTAREA, "rows": 4}))
    problems = forms.CharField(label="存在问题", required=False, widget=forms.Textarea(attrs=_TEXTAREA))
    next_steps = forms.CharField(label="下步打算", required=False, widget=forms.Textarea(attrs=_TEXTAREA))
    status = forms.ChoiceField(
        label="状态",
        choices=ProgressEntry.Status.choices,
        initial=ProgressEntry.Status.IN_PROGRESS,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    percent = forms.IntegerField(
        label="完成百分比",
        required=False,
        min_value=0,
        max_value=100,
        widget=forms.NumberInput(attrs={"class": "form-control", "min": 0, "max": 100, "step": 1}),
        error_messages={
            "min_value": "完成百分比须在 0 到 100 之间。",
            "max_value": "完成百分比须在 0 到 100 之间。",
            "invalid": "完成百分比须为整数。",
        },
    )
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)

    def __init__(self, *args, submit: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.submit = submit

    @classmethod
    def for_entry(cls, entry: ProgressEntry | None, *, prefix: str | None = None, disabled: bool = False):
        if entry is None:
            initial = {"version": 0, "status": ProgressEntry.Status.IN_PROGRESS}
        else:
            initial = {f: getattr(entry, f) for f in ("progress", "problems", "next_steps", "status", "percent")}
            initial["version"] = entry.version
        form = cls(initial=initial, prefix=prefix)
        if disabled:
            for f in form.fields.values():
                f.disabled = True
        return form

    def clean(self):
        data = super().clean()
        if self.submit and not (data.get("progress") or "").strip():
            self.add_error("progress", "提交前请填写进展情况。")
        return data

    def to_input(self) -> EntryInput:
        d = self.cleaned_data
        return EntryInput(
            progress=d["progress"].strip(),
            problems=d["problems"].strip(),
            next_steps=d["next_steps"].strip(),
            status=d["status"],
            percent=d["percent"],
        )


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label="退回意见",
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 2, "placeholder": "请说明需要补充或修改的内容"}),
        error_messages={"required": "退回时请填写审核意见。"},
    )
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)


class DueDateForm(forms.Form):
    due_date = forms.DateField(
        label="报送截止日期",
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control form-control-sm"}, format="%Y-%m-%d"),
        error_messages={"required": "请填写截止日期。", "invalid": "日期格式不正确。"},
    )
