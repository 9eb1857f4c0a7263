"""Administrator pages for the audit trail and for personal data (export, anonymise, retention)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from styrbord.accounts import privacy
from styrbord.accounts.models import RetentionHold, RetentionRule
from styrbord.accounts.permissions import DELETE, EXPORT, LIST, RETRIEVE, can, get_scoped_or_404, scoped_for
from styrbord.accounts.privacy_sheets import section_title
from styrbord.accounts.route_policy import requires
from styrbord.audit.actions import action_label, actions_matching, object_type_label
from styrbord.audit.details import DetailReader
from styrbord.audit.forms import AnonymiseForm, LogFilterForm
from styrbord.audit.models import AuditEntry
from styrbord.audit.refusals import note
from styrbord.audit.search import changed_field_q
from styrbord.audit.services import log_access
from styrbord.lib.dates import local_today
from styrbord.lib.filtering import apply_choices, query_without
from styrbord.lib.spreadsheets import Sheet, write_xlsx
from styrbord.organisations.services import current_employments
from styrbord.staff.models import Employee
from styrbord.web.downloads import attachment

PAGE_SIZE = 100  # moments a page of the log (``moments_page``): about as many rows
FORMATS = ("json", "xlsx")


def _entries(user: Any) -> QuerySet[AuditEntry]:
    """The audit trail is not tenant data: only the policy decides who reads it."""
    return AuditEntry.objects.all() if can(user, LIST, "audit_entry") else AuditEntry.objects.none()


SUBJECTS_SHOWN = 12  # ids listed on a grouped row; the rest are counted


@dataclass
class EntryGroup:
    """Consecutive entries of one event: a page view writes one row per person seen."""

    entry: AuditEntry
    subjects: list[int] = field(default_factory=list)
    # Names the records the details refer to; the log page gives one reader to all its rows.
    reader: DetailReader | None = None

    @property
    def subjects_shown(self) -> list[int]:
        return self.subjects[:SUBJECTS_SHOWN]

    @property
    def action_label(self) -> str:
        return action_label(self.entry.action)

    @property
    def changes(self) -> list[tuple[str, str, str]]:
        """(field, before, after) for each field whose value the change altered ("–" for none)."""
        before, after = self.entry.before or {}, self.entry.after or {}
        if not isinstance(before, dict) or not isinstance(after, dict):
            return []
        return [
            (name, _value_text(before.get(name)), _value_text(after.get(name)))
            for name in sorted(set(before) | set(after))
            if before.get(name) != after.get(name)
        ]

    @property
    def details(self) -> list[tuple[str, str]]:
        """The entry's details as (label, text) pairs in the reader's language, in the order they
        were written ("Tilbud: Dolmer Have (3)", "Dato: 07-12-2026")."""
        return (self.reader or DetailReader()).details(self.entry)

    @property
    def object_label(self) -> str:
        return object_type_label(self.entry.object_type) if self.entry.object_type else ""

    @property
    def subjects_hidden(self) -> int:
        return max(0, len(self.subjects) - SUBJECTS_SHOWN)


def _value_text(value: Any) -> str:
    """A stored value as a reader sees it: text as it is, anything else as compact JSON."""
    if value is None:
        return "–"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, cls=DjangoJSONEncoder)


def _event_key(entry: AuditEntry) -> tuple[Any, ...]:
    # The per-person rows of one event differ only in the person (and the object, when it is the person).
    per_person = entry.object_type == "staff.employee" and entry.object_id == str(entry.subject_employee_id)
    return (
        entry.created_at,
        entry.kind,
        entry.action,
        entry.actor_id,
        entry.actor_label,
        entry.object_type,
        None if per_person else entry.object_id,
        json.dumps(entry.data, sort_keys=True, cls=DjangoJSONEncoder),
    )


def group_events(entries: Iterable[AuditEntry]) -> list[EntryGroup]:
    """One row per event: consecutive access rows of the same view, user and moment become one group."""
    groups: list[EntryGroup] = []
    last_key: tuple[Any, ...] | None = None
    for entry in entries:
        key = _event_key(entry)
        groupable = entry.subject_employee_id is not None and entry.before is None and entry.after is None
        if groupable and groups and key == last_key:
            groups[-1].subjects.append(entry.subject_employee_id)  # type: ignore[arg-type]
        else:
            subjects = [entry.subject_employee_id] if entry.subject_employee_id is not None else []
            groups.append(EntryGroup(entry=entry, subjects=subjects))
        last_key = key if groupable else None
    for group in groups:
        group.subjects.sort()
    return groups


def moments_page(entries: QuerySet[AuditEntry], number: Any) -> Page:
    """The page ``number`` of ``entries`` (newest first), paginated by the moments they were written
    at: ``PAGE_SIZE`` distinct ``created_at`` values a page, with every entry of each.

    The page shows one row per event (``group_events``), and an event's entries all have the same
    moment (``_event_key`` starts with it; ``log_access`` writes one view of 200 people with one
    timestamp). Pages of entries cut such a group in two, "100 personer" at the foot of one page
    and the rest at the head of the next; pages of moments never do. A moment is almost always one
    event, so a page still shows about ``PAGE_SIZE`` rows. Three queries whatever the page holds:
    the moments counted, the page's moments, and their entries (filters and all).

    The returned page iterates the entries; its paginator counts the moments (``num_pages``)."""
    moments = entries.order_by("-created_at").values_list("created_at", flat=True).distinct()
    paginator = Paginator(moments, PAGE_SIZE)
    shown = paginator.get_page(number)
    found = list(shown.object_list)  # newest first
    rows = entries.filter(created_at__lte=found[0], created_at__gte=found[-1]) if found else entries.none()
    return Page(list(rows.order_by("-created_at", "-id")), shown.number, paginator)


@login_required
@requires("audit_entry", LIST)
def log(request: HttpRequest) -> HttpResponse:
    """The trail, newest first, with filters."""
    form = LogFilterForm(request.GET or None)
    entries = _entries(request.user)
    if form.is_valid():
        f = form.cleaned_data
        if f["action"]:  # the readable name ("tilsagn oprettet"), part of the id, or a field changed
            text = f["action"]
            found = Q(action__icontains=text) | Q(action__in=actions_matching(text))
            fields = changed_field_q(text)  # "uddannelse" finds the changes to a person's education
            entries = entries.filter(found | fields if fields is not None else found)
        lookups = {
            "kind": "kind",
            "actor": "actor_label__icontains",
            "subject": "subject_employee_id",
            "date_from": "created_at__date__gte",
            "date_to": "created_at__date__lte",
        }
        entries = apply_choices(entries, f, lookups)
    elif form.is_bound:  # a filter the form refused lists nothing (its errors say why), not everything
        entries = entries.none()
    page = moments_page(entries, request.GET.get("side"))
    events = group_events(page)
    reader = DetailReader()
    reader.load(event.entry for event in events)  # the records the details name: one query per kind
    for event in events:
        event.reader = reader
    return render(
        request,
        "audit/log.html",
        {
            "form": form,
            "page": page,
            "events": events,
            "query": query_without(request.GET, "side"),
            "can_see_retention": can(request.user, LIST, "personal_data"),
            # The exports link only for an id the form accepted (not the raw text typed).
            "subject": form.cleaned_data.get("subject") if form.is_valid() else None,
        },
    )


def _subject_rows(employee_id: int) -> list[list[object]]:
    return [
        [
            timezone.localtime(e.created_at).replace(tzinfo=None),
            e.get_kind_display(),
            e.action,
            action_label(e.action),
            e.actor_label,
            e.object_type,
            e.object_id,
            json.dumps(e.data, ensure_ascii=False, cls=DjangoJSONEncoder),
            json.dumps(e.before, ensure_ascii=False, cls=DjangoJSONEncoder) if e.before is not None else "",
            json.dumps(e.after, ensure_ascii=False, cls=DjangoJSONEncoder) if e.after is not None else "",
        ]
        for e in AuditEntry.objects.filter(subject_employee_id=employee_id).order_by("created_at", "id")
    ]


SUBJECT_HEADERS = [
    "tidspunkt",
    "type",
    "handling",
    "beskrivelse",
    "bruger",
    "objekttype",
    "objekt-id",
    "detaljer",
    "før",
    "efter",
]


@login_required
@requires("audit_entry", EXPORT)
def subject_export(request: HttpRequest, employee_id: int, fmt: str) -> HttpResponse:
    """Every audit entry about one data subject, as XLSX or JSON (for an access request)."""
    if fmt not in FORMATS or not can(request.user, EXPORT, "audit_entry"):
        raise Http404
    rows = _subject_rows(employee_id)
    log_access(request.user, "audit.subject.exported", [employee_id], {"format": fmt}, kind=AuditEntry.Kind.EXPORT)
    name = f"auditlog-medarbejder-{employee_id}-{local_today():%Y-%m-%d}"
    if fmt == "json":
        body = json.dumps(
            [dict(zip(SUBJECT_HEADERS, row, strict=True)) for row in rows], cls=DjangoJSONEncoder, ensure_ascii=False
        )
        return attachment(body, f"{name}.json")
    content = write_xlsx([Sheet("Auditlog", SUBJECT_HEADERS, rows)])
    return attachment(content, f"{name}.xlsx")


@login_required
@requires("employee", EXPORT)
def employee_data(request: HttpRequest, employee_id: int) -> HttpResponse:
    """One person's data: what is held, export buttons, holds and (for administrators) anonymisation."""
    employee = get_scoped_or_404(request.user, EXPORT, "employee", Employee.objects.all(), pk=employee_id)
    if not privacy.may_take_out_everything(request.user, employee):
        note(request.user, EXPORT, employee)  # logged as a refused attempt (``audit.refusals``)
        raise Http404
    data = privacy.employee_data(employee)
    log_access(request.user, "staff.employee.data_viewed", [employee.pk])
    sections = [(label, section_title(label), len(rows)) for label, rows in data["sections"].items()]
    return render(
        request,
        "audit/employee_data.html",
        {
            "employee": employee,
            "own": getattr(request.user, "employee_id", None) == employee.pk,
            "sections": sections,
            "holds": RetentionHold.objects.filter(employee=employee),
            "can_anonymise": can(request.user, DELETE, "personal_data"),
            # Anonymising someone still employed is allowed (a request for erasure) but rarely meant.
            "still_employed": sorted(
                {
                    e.facility.name
                    for e in current_employments(local_today()).filter(employee=employee).select_related("facility")
                }
            ),
            "form": AnonymiseForm(),
        },
    )


@login_required
@requires("employee", EXPORT)
def employee_export(request: HttpRequest, employee_id: int, fmt: str) -> HttpResponse:
    """All data about one person as JSON or XLSX (the right of access)."""
    if fmt not in FORMATS:
        raise Http404
    employee = get_scoped_or_404(request.user, EXPORT, "employee", Employee.objects.all(), pk=employee_id)
    if not privacy.may_take_out_everything(request.user, employee):
        note(request.user, EXPORT, employee)  # logged as a refused attempt (``audit.refusals``)
        raise Http404
    log_access(request.user, "staff.employee.exported", [employee.pk], {"format": fmt}, kind=AuditEntry.Kind.EXPORT)
    body = privacy.export_json(employee) if fmt == "json" else privacy.export_xlsx(employee)
    return attachment(body, privacy.export_filename(employee, fmt))


@login_required
@requires("personal_data", DELETE)
@require_POST
def employee_anonymise(request: HttpRequest, employee_id: int) -> HttpResponse:
    """Anonymise a person (administrators only); rows that refer to them are kept."""
    employee = get_scoped_or_404(request.user, RETRIEVE, "employee", Employee.objects.all(), pk=employee_id)
    form = AnonymiseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Skriv en begrundelse og bekræft anonymiseringen."))
        return redirect("audit:employee_data", employee_id=employee.pk)
    try:
        privacy.anonymise_employee(employee, request.user, form.cleaned_data["reason"])
    except privacy.PrivacyError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Medarbejderen er anonymiseret."))
    return redirect("audit:employee_data", employee_id=employee.pk)


@login_required
@requires("personal_data", LIST)
def retention(request: HttpRequest) -> HttpResponse:
    """Retention rules, holds, and who is due for anonymisation today (a dry run)."""
    user = request.user
    today = local_today()
    due, held = privacy.retention_candidates(today)
    # A coordinator sees the people and holds of their own municipality only (ids and counts).
    in_scope = scoped_for(user, LIST, "employee", Employee.objects.all())
    holds = scoped_for(user, LIST, "personal_data", RetentionHold.objects.filter(released_at__isnull=True))
    return render(
        request,
        "audit/retention.html",
        {
            "rules": RetentionRule.objects.select_related("municipality"),
            "holds": holds.order_by("-created_at")[:200],
            "due": in_scope.filter(pk__in=due).count(),
            "held": in_scope.filter(pk__in=held).count(),
            "can_see_people": can(user, EXPORT, "personal_data"),  # the whole record: administrators
            "can_see_log": can(user, LIST, "audit_entry"),
            "today": today,
            "default_years": privacy.years_for(set(), {}),
            "log_months": settings.AUDIT_ACCESS_RETENTION_MONTHS,
        },
    )
