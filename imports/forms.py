"""The upload form of the browser import."""

from __future__ import annotations

import os

from django import forms
from django.conf import settings

from imports.errors import BadPeriodError
from imports.loader import resolve_period_arg
from imports.services import ALLOWED_EXTENSIONS
from ledger.models import Ledger


class UploadForm(forms.Form):
    file = forms.FileField(
        label="台账文件",
        help_text="Word（.docx）、Excel（.xlsx）或PDF（.pdf），文件内容须为台账表格",
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(ALLOWED_EXTENSIONS), "class": "form-control"}),
        error_messages={"required": "请选择要导入的台账文件", "empty": "文件是空的（0字节），请重新选择"},
    )
    ledger = forms.ModelChoiceField(
        label="导入到台账",
        queryset=Ledger.objects.all(),
        required=False,
        empty_label="按文件标题自动识别（没有则新建）",
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    period = forms.CharField(
        label="期次",
        required=False,
        max_length=30,
        help_text="留空则从标题或文件名识别；可填 2024-06、2025-Q1、2024-H1、2023 或“2025年一季度”",
        widget=forms.TextInput(attrs={"class": "form-control", "placeholder": "如 2025-Q1"}),
    )

    def clean_file(self):
        f = self.cleaned_data["file"]
        limit = settings.IMPORT_MAX_BYTES
        if f.size > limit:
            raise forms.ValidationError(f"文件过大（{f.size / 1048576:.1f} MB），上限为 {limit / 1048576:g} MB")
        if os.path.splitext(f.name or "")[1].lower() not in ALLOWED_EXTENSIONS:
            raise forms.ValidationError("只能导入.docx、.xlsx或.pdf格式的台账")
        return f

    def clean_period(self):
        text = (self.cleaned_data.get("period") or "").strip()
        if text:
            try:
                resolve_period_arg(text)
            except BadPeriodError as exc:
                raise forms.ValidationError(str(exc))
        return text
