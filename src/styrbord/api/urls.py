"""The REST API, mounted at /api/ (OpenAPI schema at /api/v1/openapi.json, docs at /api/v1/docs)."""

from django.urls import path

from styrbord.api.main import api

urlpatterns = [path("v1/", api.urls)]
