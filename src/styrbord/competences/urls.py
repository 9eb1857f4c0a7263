"""Competence pages under /kompetencer/."""

from django.urls import path

from styrbord.competences import import_views, views

app_name = "competences"
urlpatterns = [
    path("", views.competence_list, name="competence_list"),
    path("ny/", views.competence_create, name="competence_create"),
    path("<int:pk>/rediger/", views.competence_edit, name="competence_edit"),
    path("udloeber/", views.expiring, name="expiring"),
    path("udloeber.xlsx", views.expiring_export, name="expiring_export"),
    path("import/", import_views.upload, name="import_upload"),
    path("import/skabelon.xlsx", import_views.template, name="import_template"),
    path("import/navne/<int:pk>/slet/", import_views.name_delete, name="import_name_delete"),
    path("import/<str:token>/", import_views.preview, name="import_preview"),
    path("import/<str:token>/annuller/", import_views.cancel, name="import_cancel"),
    path("import/<str:token>/navne/", import_views.names, name="import_names"),
]
