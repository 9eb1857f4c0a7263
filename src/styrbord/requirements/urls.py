"""Requirement and coverage pages under /krav/."""

from django.urls import path

from styrbord.requirements import aggregate_views, evidence_views, manage_views, views

app_name = "requirements"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("samlet/", aggregate_views.aggregate, name="aggregate"),
    path("samlet.xlsx", aggregate_views.aggregate_export, name="aggregate_export"),
    path("samlet/udvikling/", aggregate_views.aggregate_trend_chart, name="aggregate_trend"),
    path("tilbud/<int:facility_id>/", views.facility_coverage, name="facility_coverage"),
    path("tilbud/<int:facility_id>/mangler/", views.gap_list, name="gap_list"),
    path("tilbud/<int:facility_id>/mangler.xlsx", views.gap_export, name="gap_export"),
    path("tilbud/<int:facility_id>/kompetenceoversigt/", evidence_views.evidence_sheet, name="evidence_sheet"),
    path("tilbud/<int:facility_id>/kompetenceoversigt.xlsx", evidence_views.evidence_xlsx, name="evidence_xlsx"),
    path("tilbud/<int:facility_id>/kompetenceoversigt.pdf", evidence_views.evidence_pdf, name="evidence_pdf"),
    path("liste/", manage_views.requirement_list, name="requirement_list"),
    path("nyt/", manage_views.requirement_create, name="requirement_create"),
    path("<int:pk>/", manage_views.requirement_detail, name="requirement_detail"),
    path("<int:pk>/rediger/", manage_views.requirement_update, name="requirement_update"),
]
