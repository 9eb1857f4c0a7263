"""Creating and editing the catalogue: providers and courses (coordinators and administrators).

The catalogue is shared reference data, so the policy ("course" CREATE/UPDATE) alone decides who may
change it; there is no municipality scope to check. Providers are part of the catalogue and follow
the same policy row.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from styrbord.accounts.permissions import CREATE, LIST, UPDATE, can
from styrbord.accounts.route_policy import requires
from styrbord.audit.services import log_action, snapshot
from styrbord.lib.collation import collated, sort_key
from styrbord.training.forms import CourseCompetenceFormSet, CourseForm, ProviderForm, granted_competences
from styrbord.training.models import Course, Provider
from styrbord.training.permissions import catalogue_for, get_catalogue_or_404

from .common import require

# After creating a provider from the course form, go back to a new course with that provider chosen.
BACK_TO_COURSE = "kursus"


@requires("course", LIST)
@login_required
def provider_list(request: HttpRequest) -> HttpResponse:
    require(request, LIST, "course")
    providers = catalogue_for(request.user, LIST, "course", Provider.objects.all()).annotate(
        course_count=Count("courses")
    )
    return render(
        request,
        "training/provider_list.html",
        {
            "providers": providers.order_by(collated("name")),
            "can_create": can(request.user, CREATE, "course"),
            "can_edit": can(request.user, UPDATE, "course"),
        },
    )


@requires("course", CREATE)
@login_required
def provider_create(request: HttpRequest) -> HttpResponse:
    require(request, CREATE, "course")
    return _provider_form(request, Provider(), back_to_course=request.GET.get("til") == BACK_TO_COURSE)


@requires("course", UPDATE)
@login_required
def provider_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require(request, UPDATE, "course")
    provider = get_catalogue_or_404(request.user, UPDATE, "course", Provider.objects.all(), pk=pk)
    return _provider_form(request, provider, back_to_course=False)


def _provider_form(request: HttpRequest, provider: Provider, *, back_to_course: bool) -> HttpResponse:
    data = request.POST if request.method == "POST" else None
    before = snapshot(provider) if provider.pk else None
    form = ProviderForm(data, instance=provider)
    if data is not None and form.is_valid():
        with transaction.atomic():
            created = provider.pk is None
            saved = form.save()
            log_action(
                saved,
                "training.provider.created" if created else "training.provider.updated",
                request.user,
                {"fields": sorted(form.changed_data)},
                before=before,
                after=snapshot(saved),
            )
        messages.success(request, _("Udbyderen %(name)s er gemt.") % {"name": saved.name})
        if back_to_course:
            return redirect(f"{reverse('training:course_create')}?udbyder={saved.pk}")
        return redirect("training:provider_list")
    return render(
        request,
        "training/provider_form.html",
        {"form": form, "provider": provider if provider.pk else None, "back_to_course": back_to_course},
    )


@requires("course", CREATE)
@login_required
def course_create(request: HttpRequest) -> HttpResponse:
    """A new course with what it grants (and for how long), its prerequisites and price."""
    require(request, CREATE, "course")
    initial: dict[str, Any] = {}
    provider_id = request.GET.get("udbyder", "")
    if provider_id.isdigit() and Provider.objects.filter(pk=int(provider_id)).exists():
        initial["provider"] = int(provider_id)
    return _course_form(request, Course(), initial)


@requires("course", UPDATE)
@login_required
def course_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require(request, UPDATE, "course")
    course = get_catalogue_or_404(request.user, UPDATE, "course", Course.objects.all(), pk=pk)
    return _course_form(request, course, {})


def _course_form(request: HttpRequest, course: Course, initial: dict[str, Any]) -> HttpResponse:
    """Course, granted competences and prerequisites are saved together or not at all."""
    data = request.POST if request.method == "POST" else None
    before = _course_state(course) if course.pk else None
    form = CourseForm(data, instance=course, initial=initial)
    grants = CourseCompetenceFormSet(data, instance=course, prefix="grants")
    if data is not None and form.is_valid() and grants.is_valid():
        both = {c.pk for c in form.cleaned_data["prerequisites"]} & granted_competences(grants)
        if both:
            names = sorted((c.name for c in form.cleaned_data["prerequisites"] if c.pk in both), key=sort_key)
            form.add_error(
                "prerequisites",
                _("Forudsætninger: %(names)s kan ikke både kræves og gives af kurset.") % {"names": ", ".join(names)},
            )
        else:
            with transaction.atomic():
                created = course.pk is None
                saved = form.save()
                grants.instance = saved
                grants.save()
                log_action(
                    saved,
                    "training.course.created" if created else "training.course.updated",
                    request.user,
                    {"fields": sorted(form.changed_data)},
                    before=before,
                    after=_course_state(saved),
                )
            messages.success(request, _("Kurset %(name)s er gemt.") % {"name": saved.name})
            return redirect("training:course_detail", pk=saved.pk)
    return render(
        request,
        "training/course_form.html",
        {
            "form": form,
            "grants": grants,
            "course": course if course.pk else None,
            "can_create_provider": can(request.user, CREATE, "course"),
        },
    )


def _course_state(course: Course) -> dict[str, Any]:
    """The course's fields with what it grants and requires, for the audit log's before/after."""
    state = snapshot(course)
    state["grants"] = sorted(
        [code, months] for code, months in course.grants.values_list("competence__code", "validity_months")
    )
    state["prerequisites"] = sorted(course.prerequisites.values_list("code", flat=True))
    return state
