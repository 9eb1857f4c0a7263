"""Every admin change form opens and saves, as a browser would send it back.

On the demo data, this test opens the change page of one object of every registered model that
has one, posts the form back unchanged and expects the admin's redirect. It found the provider
form's website field warning about Django 6's https default (an error under the test settings).
What the change log makes of a time of day or a file when a value does change is tested in
test_admin_change_log.py.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse
from lxml import html

from styrbord.accounts.models import User
from styrbord.demo.services import build_demo
from styrbord.organisations.models import Municipality
from styrbord.reports.models import DocumentTemplate

TODAY = dt.date(2026, 11, 23)


def _form_data(page: bytes) -> dict[str, Any]:
    """What a browser submits for the change form: its inputs, selects and text areas."""
    form = html.fromstring(page).xpath("//form[@id and contains(@id, '_form')]")[0]
    data: dict[str, list[str]] = {}
    for element in form.xpath(".//input | .//select | .//textarea"):
        name = element.get("name")
        if not name or element.get("disabled") is not None:
            continue
        if element.tag == "select":
            options = element.xpath(".//option")
            chosen = [o for o in options if o.get("selected") is not None]
            if not chosen and element.get("multiple") is None and options:
                chosen = options[:1]  # a single select sends its first option when none is marked
            if chosen:
                data.setdefault(name, []).extend(o.get("value", o.text or "") for o in chosen)
        elif element.tag == "textarea":
            data.setdefault(name, []).append(element.text or "")
        else:
            kind = (element.get("type") or "text").lower()
            if kind in {"submit", "button", "file", "image", "reset"}:
                continue
            if kind in {"checkbox", "radio"} and element.get("checked") is None:
                continue
            data.setdefault(name, []).append(element.get("value", "on" if kind == "checkbox" else ""))
    return {name: values if len(values) > 1 else values[0] for name, values in data.items()}


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
        if not html.fromstring(page.content).xpath("//form[@id and contains(@id, '_form')]//input[@name='_save']"):
            continue  # a read-only admin (no save button)
        response = client.post(url, _form_data(page.content))
        if response.status_code == 302:
            saved.append(meta.label)
        else:
            errors = html.fromstring(response.content).xpath("//*[contains(@class, 'errorlist')]//text()")
            failed.append(f"{meta.label} ({response.status_code}): {' '.join(errors)[:200]}")
    assert not failed, failed
    # The demo reaches most of the admin: sessions with their course days, a file field, providers.
    assert {"training.Session", "reports.DocumentTemplate", "training.Provider"} <= set(saved)
    assert len(saved) >= 30, (saved, empty)
