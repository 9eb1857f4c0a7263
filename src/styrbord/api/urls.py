"""The REST API, mounted at /api/ (OpenAPI schema at /api/v1/openapi.json, docs at /api/v1/docs)."""

from django.urls import path
from django.views.generic import RedirectView

from styrbord.accounts.route_policy import PUBLIC
from styrbord.api.main import api
from styrbord.api.middleware import unknown_path

# /api/ itself leads to the documentation of the current version (it answered 404).
docs = RedirectView.as_view(url="/api/v1/docs", permanent=False)
docs.route_policy = PUBLIC  # type: ignore[attr-defined]

urlpatterns = [
    path("", docs, name="api_root"),
    path("v1/", api.urls),
    path("v1/<path:rest>", unknown_path, name="api_unknown_path"),
]
