"""URLs of the reports page (mounted under rapporter/)."""

from __future__ import annotations

from django.urls import path

from styrbord.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.report_list, name="report_list"),
    path("vis/", views.report_preview, name="report_preview"),
    path("bestil/", views.report_create, name="report_create"),
    path("job/<int:pk>/", views.job_detail, name="job_detail"),
    path("job/<int:pk>/status/", views.job_status, name="job_status"),
    path("job/<int:pk>/hent/", views.job_download, name="job_download"),
    path("skabeloner/", views.template_list, name="template_list"),
    path("skabeloner/standard.docx", views.default_template, name="default_template"),
    path("skabeloner/<int:pk>/deaktiver/", views.template_deactivate, name="template_deactivate"),
]
