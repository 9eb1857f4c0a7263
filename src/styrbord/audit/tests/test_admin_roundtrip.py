"""Every admin change form opens and saves, as a browser would send it back.

On the demo data, this test opens the change page of one object of every registered model that
has one, posts the form back unchanged and expects the admin's redirect. It found the provider
form's website field warning about Django 6's https default (an error under the test settings).
What the change log makes of a time of day or a file when a value does change is tested in
test_admin_change_log.py.
"""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse
from lxml import html

from styrbord.accounts.models import User
from styrbord.demo.services import build_demo
from styrbord.organisations.models import Municipality
from styrbord.reports.models import DocumentTemplate
from styrbord.testing.fixtures import DEMO_TEST_DAY
from styrbord.testing.forms import form_data, page_forms

TODAY = DEMO_TEST_DAY
# Built for that day and looked at on it, whatever the calendar says.
pytestmark = pytest.mark.usefixtures("on_demo_day")
ADMIN_FORM = "//form[@id and contains(@id, '_form')]"


@pytest.mark.django_db
def test_every_admin_change_form_saves_unchanged(client: Client) -> None:
    build_demo(2024, TODAY)
    user = User.objects.get(username="admin")
    assert user.is_superuser
    DocumentTemplate.objects.create(  # a file field; the demo has no template of its own
        municipality=Municipality.objects.get(code="0707"),
        name="Brevskabelon",
        file="report-templates/2026/brev.docx",
        uploaded_by=user,
    )
    client.force_login(user)
    saved, failed, empty = [], [], []
    for model in admin.site._registry:
        obj = model._default_manager.order_by("pk").first()
        if obj is None:
            empty.append(model._meta.label)
            continue
        meta = model._meta
        url = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])
        page = client.get(url)
        assert page.status_code == 200, f"{url}: {page.status_code}"
        if not page_forms(page.content, ADMIN_FORM + "[.//input[@name='_save']]"):
            continue  # a read-only admin (no save button)
        response = client.post(url, form_data(page_forms(page.content, ADMIN_FORM)[0]))
        if response.status_code == 302:
            saved.append(meta.label)
        else:
            errors = html.fromstring(response.content).xpath("//*[contains(@class, 'errorlist')]//text()")
            failed.append(f"{meta.label} ({response.status_code}): {' '.join(errors)[:200]}")
    assert not failed, failed
    # The demo reaches most of the admin: sessions with their course days, a file field, providers.
    assert {"training.Session", "reports.DocumentTemplate", "training.Provider"} <= set(saved)
    assert len(saved) >= 30, (saved, empty)
