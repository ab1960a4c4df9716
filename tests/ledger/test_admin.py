"""Every admin changelist, add and change page loads for an admin."""

import pytest
from django.contrib import admin
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def populated(admin_user):
    entry = factories.EntryFactory(progress="已完成主体施工")
    factories.SubtaskUnitFactory(subtask=entry.subtask)
    return entry


def _model_admins():
    return [m for m in admin.site._registry if m._meta.app_label == "ledger"]


@pytest.mark.parametrize("model", _model_admins(), ids=lambda m: m.__name__)
def test_admin_pages_load(client, admin_user, populated, model):
    client.force_login(admin_user)
    opts = model._meta
    assert client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")).status_code == 200
    assert client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist") + "?q=项目").status_code == 200
    assert client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add")).status_code == 200
    obj = model.objects.first()
    assert obj is not None
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    assert client.get(url).status_code == 200


def test_admin_refuses_clerk(client, clerk):
    client.force_login(clerk)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
