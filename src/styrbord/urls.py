"""Root URLs: each app mounts its own urls.py under a Danish path."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("styrbord.web.urls")),
    path("konto/", include("styrbord.accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("tilbud/", include("styrbord.organisations.urls")),
    path("medarbejdere/", include("styrbord.staff.urls")),
    path("kompetencer/", include("styrbord.competences.urls")),
    path("krav/", include("styrbord.requirements.urls")),
    path("personale/", include("styrbord.workforce.urls")),
    path("kurser/", include("styrbord.training.urls")),
    path("oekonomi/", include("styrbord.funding.urls")),
    path("planlaegning/", include("styrbord.planning.urls")),
    path("rapporter/", include("styrbord.reports.urls")),
    path("audit/", include("styrbord.audit.urls")),
    path("api/", include("styrbord.api.urls")),
    path("konto/sso/", include("styrbord.accounts.sso_urls")),
    path("admin/", admin.site.urls),
]
