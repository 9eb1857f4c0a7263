"""The Styrbord REST API (Django Ninja, OpenAPI 3): one NinjaAPI, one router per area."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI

from styrbord.api.auth import TokenAuth
from styrbord.api.crud import ConflictError, UnprocessableError
from styrbord.api.resources import ROUTERS

DESCRIPTION = """
Styrbords API til integrationer (HR, løn, økonomi, BI).

* **Godkendelse**: et personligt API-token (`Authorization: Bearer sb_…`), oprettet under
  *Konto → API-tokens*. API'et handler med tokenejerens rolle og omfang, præcis som siderne.
* **Omfang**: lister viser kun det, du må se; et objekt uden for dit omfang svarer 404.
* **Sider**: `page` (fra 1) og `page_size` (standard 50, højst 100; større værdier afvises med 422).
* **Optimistisk låsning**: hvert objekt har en `version`. Send den version, du læste, ved PATCH og
  DELETE; er data ændret i mellemtiden, svarer API'et 409 ConflictError med den aktuelle version.
* **Persondata**: opslag og eksport af persondata logges i auditloggen.
"""

api = NinjaAPI(
    title="Styrbord API",
    version="1",
    description=DESCRIPTION,
    auth=TokenAuth(),
    urls_namespace="api",
    docs_url="/docs",
)


@api.exception_handler(PermissionDenied)
def permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(request, {"detail": "Din rolle må ikke dette."}, status=403)


@api.exception_handler(ConflictError)
def conflict(request: HttpRequest, exc: ConflictError) -> HttpResponse:
    return api.create_response(request, {"detail": exc.detail, "current_version": exc.current_version}, status=409)


@api.exception_handler(IntegrityError)
def integrity_error(request: HttpRequest, exc: IntegrityError) -> HttpResponse:
    return api.create_response(
        request,
        {"detail": "Ændringen strider mod en regel i databasen (f.eks. en dublet).", "current_version": None},
        status=409,
    )


@api.exception_handler(UnprocessableError)
def unprocessable(request: HttpRequest, exc: UnprocessableError) -> HttpResponse:
    return api.create_response(request, {"detail": exc.errors}, status=422)


for prefix, router in ROUTERS:
    api.add_router(prefix, router)
