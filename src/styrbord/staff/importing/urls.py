"""URLs of the HR import (upload, column mapping, preview and apply, cancel)."""

from django.urls import path

from styrbord.staff.importing import views

urlpatterns = [
    path("", views.upload, name="import_upload"),
    path("skabelon.xlsx", views.template, name="import_template"),
    path("<str:token>/", views.preview, name="import_preview"),
    path("<str:token>/kolonner/", views.mapping, name="import_mapping"),
    path("<str:token>/aendringer.xlsx", views.changes, name="import_changes"),
    path("<str:token>/annuller/", views.cancel, name="import_cancel"),
]
