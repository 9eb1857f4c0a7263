"""The Styrbord REST API (Django Ninja, OpenAPI 3): one NinjaAPI, one router per area."""

from __future__ import annotations

import math
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext, gettext_lazy
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

from styrbord.api.auth import TokenAuth
from styrbord.api.crud import LOCATED_CREATES, ConflictError, UnprocessableError
from styrbord.api.resources import ROUTERS
from styrbord.api.strict_query import UNKNOWN_QUERY_PARAMETER, forbid_unknown_query_params
from styrbord.api.throttling import UserRateThrottle

DESCRIPTION = """
Styrbords API til integrationer (HR, løn, økonomi, BI).

* **Godkendelse**: et personligt API-token (`Authorization: Bearer sb_…`), oprettet under
  *API-tokens* (linket nederst på hver side). API'et handler med tokenejerens rolle og omfang, præcis som siderne.
* **Omfang**: lister viser kun det, du må se; et objekt uden for dit omfang svarer 404.
* **Sider**: `page` (fra 1) og `page_size` (standard 50, højst 100; større værdier afvises med 422).
* **Parametre og felter**: en query-parameter, operationen ikke kender (f.eks. en stavefejl), afvises med 422
  (`"type": "extra_forbidden"`, og `ctx.accepted` nævner dem, den tager); den ignoreres ikke. Det samme
  gælder et felt i request-body'en, som skemaet ikke har (også i et indlejret objekt): 422
  `extra_forbidden` med feltets placering i `loc`, og intet gemmes (skemaerne har `additionalProperties: false`).
* **Optimistisk låsning**: hvert objekt har en `version`. Send den version, du læste, ved PATCH og
  DELETE; er data ændret i mellemtiden, svarer API'et 409 ConflictError med den aktuelle version.
* **Persondata**: opslag og eksport af persondata logges i auditloggen.
* **Gentagelser**: send en `Idempotency-Key`-header (f.eks. et UUID) med en POST. Sendes samme forespørgsel
  igen med samme nøgle (f.eks. efter en timeout), udføres den ikke igen: svaret er det første
  (`Idempotent-Replayed: true`). Samme nøgle med en anden forespørgsel afvises med 422. Nøgler gælder pr. token i 24 timer.
* **Grænse**: højst et antal forespørgsler pr. bruger (alle brugerens tokens tilsammen; standard 600 i
  minuttet). Derover svarer API'et 429 med `Retry-After` (sekunder); vent så længe, og prøv igen.
"""

NOT_FOUND = gettext_lazy("Findes ikke, eller ligger uden for dit omfang.")
UNAUTHENTICATED = gettext_lazy("Mangler et gyldigt API-token (Authorization: Bearer sb_…).")
FORBIDDEN = gettext_lazy("Din rolle må ikke dette.")
INTEGRITY = gettext_lazy("Ændringen strider mod en regel i databasen (f.eks. en dublet).")
UNPARSABLE_BODY = gettext_lazy("Indholdet er ikke gyldig JSON.")
NO_SUCH_DATE = gettext_lazy("Datoen findes ikke i kalenderen (f.eks. 31-02).")
THROTTLED = gettext_lazy(
    "For mange forespørgsler: højst %(rate)s pr. bruger. Vent %(seconds)s sekunder (se Retry-After), og prøv igen."
)
RATE_UNITS = {
    "s": gettext_lazy("i sekundet"),
    "m": gettext_lazy("i minuttet"),
    "h": gettext_lazy("i timen"),
    "d": gettext_lazy("i døgnet"),
}

IDEMPOTENCY_HEADER = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": (
        "Valgfri nøgle (f.eks. et UUID): sendes samme forespørgsel igen med samme nøgle, udføres den ikke igen, "
        "men det første svar gentages (`Idempotent-Replayed: true`). Samme nøgle med en anden forespørgsel: 422; "
        "mens den første stadig kører: 409 med `Retry-After`. Gælder pr. token i 24 timer."
    ),
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]+$"},
}
LOCATION = {
    "description": "Stien til det oprettede objekt (`/api/v1/<samling>/<id>`), hvor det kan hentes.",
    "schema": {"type": "string", "format": "uri-reference"},
}
TOO_MANY = {
    "description": (
        "For mange forespørgsler fra samme bruger (`STYRBORD_API_RATE_LIMIT`); vent det antal sekunder, "
        "`Retry-After` siger."
    ),
    "headers": {"Retry-After": {"schema": {"type": "integer"}, "description": "Sekunder til næste forsøg."}},
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}},
}


class StyrbordAPI(NinjaAPI):
    """Ninja's API with what the project adds around the operations in its OpenAPI document: the
    request budget's 429 on every operation, and ``Idempotency-Key`` on every POST (both handled
    outside the operations: ``throttling``, ``idempotency``), and the ``Location`` header of the
    201 of each operation that creates one object (``crud.located``)."""

    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None) -> Any:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        for operations in schema.get("paths", {}).values():
            for method, operation in operations.items():
                operation.setdefault("responses", {})["429"] = TOO_MANY
                if method == "post":
                    operation.setdefault("parameters", []).append(IDEMPOTENCY_HEADER)
                created = operation["responses"].get(201) or operation["responses"].get("201")
                if created is not None and operation.get("operationId") in LOCATED_CREATES:
                    created.setdefault("headers", {})["Location"] = LOCATION
        return schema


api = StyrbordAPI(
    title="Styrbord API",
    version="1",
    description=DESCRIPTION,
    auth=TokenAuth(),
    urls_namespace="api",
    docs_url="/docs",
    throttle=[UserRateThrottle()],
)


@api.exception_handler(PermissionDenied)
def permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(request, {"detail": str(FORBIDDEN)}, status=403)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    """404 for a missing object and for one outside the token's scope alike (nothing is told apart)."""
    return api.create_response(request, {"detail": str(NOT_FOUND)}, status=404)


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = api.create_response(request, {"detail": str(UNAUTHENTICATED)}, status=401)
    response["WWW-Authenticate"] = 'Bearer realm="Styrbord API"'  # what a 401 must say (RFC 9110)
    return response


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    """Ninja's own refusals; a body that is not JSON is said in the request's language."""
    message = str(exc)
    if exc.status_code == 400 and message.startswith("Cannot parse request body"):
        message = str(UNPARSABLE_BODY)
    return api.create_response(request, {"detail": message}, status=exc.status_code)


@api.exception_handler(Throttled)
def throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
    """429 when a user has used the request budget (``STYRBORD_API_RATE_LIMIT``); Ninja adds
    ``Retry-After`` in whole seconds, and the text says the same number and the budget."""
    count, _, unit = str(settings.API_RATE_LIMIT or "").partition("/")
    rate = f"{count} {RATE_UNITS.get(unit, unit)}"
    seconds = math.ceil(exc.wait) if exc.wait is not None else 1
    return api.create_response(request, {"detail": str(THROTTLED) % {"rate": rate, "seconds": seconds}}, status=429)


@api.exception_handler(ConflictError)
def conflict(request: HttpRequest, exc: ConflictError) -> HttpResponse:
    return api.create_response(request, {"detail": exc.detail, "current_version": exc.current_version}, status=409)


@api.exception_handler(IntegrityError)
def integrity_error(request: HttpRequest, exc: IntegrityError) -> HttpResponse:
    return api.create_response(
        request,
        {"detail": str(INTEGRITY), "current_version": None},
        status=409,
    )


@api.exception_handler(UnprocessableError)
def unprocessable(request: HttpRequest, exc: UnprocessableError) -> HttpResponse:
    return api.create_response(request, {"detail": exc.errors}, status=422)


# Pydantic's messages for the usual input errors, in the request's language (Danish unless the
# client asks otherwise with Accept-Language); an error type not listed keeps pydantic's text.
_MESSAGES = {
    "missing": gettext_lazy("Feltet skal udfyldes."),
    "int_parsing": gettext_lazy("Skal være et heltal."),
    "int_type": gettext_lazy("Skal være et heltal."),
    "int_from_float": gettext_lazy("Skal være et heltal."),
    "decimal_parsing": gettext_lazy("Skal være et tal."),
    "decimal_type": gettext_lazy("Skal være et tal."),
    "decimal_max_digits": gettext_lazy("Højst %(max_digits)s cifre i alt."),
    "decimal_max_places": gettext_lazy("Højst %(decimal_places)s decimaler."),
    "decimal_whole_digits": gettext_lazy("Højst %(whole_digits)s cifre før kommaet."),
    "float_parsing": gettext_lazy("Skal være et tal."),
    "float_type": gettext_lazy("Skal være et tal."),
    "literal_error": gettext_lazy("Skal være en af: %(expected)s."),
    "enum": gettext_lazy("Skal være en af: %(expected)s."),
    "date_parsing": gettext_lazy("Skal være en dato som ÅÅÅÅ-MM-DD."),
    "date_type": gettext_lazy("Skal være en dato som ÅÅÅÅ-MM-DD."),
    "date_from_datetime_parsing": gettext_lazy("Skal være en dato som ÅÅÅÅ-MM-DD."),
    "date_from_datetime_inexact": gettext_lazy("Skal være en dato som ÅÅÅÅ-MM-DD."),
    "bool_parsing": gettext_lazy("Skal være true eller false."),
    "bool_type": gettext_lazy("Skal være true eller false."),
    "string_type": gettext_lazy("Skal være tekst."),
    "string_too_long": gettext_lazy("Højst %(max_length)s tegn."),
    "string_too_short": gettext_lazy("Mindst %(min_length)s tegn."),
    "greater_than_equal": gettext_lazy("Skal være mindst %(ge)s."),
    "greater_than": gettext_lazy("Skal være større end %(gt)s."),
    "less_than_equal": gettext_lazy("Må højst være %(le)s."),
    "less_than": gettext_lazy("Skal være mindre end %(lt)s."),
    "json_invalid": gettext_lazy("Indholdet er ikke gyldig JSON."),
    "extra_forbidden": gettext_lazy("Feltet findes ikke."),
    "list_type": gettext_lazy("Skal være en liste."),
}


# A query parameter the operation does not declare (``strict_query``); ``ctx.accepted`` lists those it does.
UNKNOWN_QUERY = gettext_lazy("Ukendt query-parameter. Operationen tager: %(accepted)s.")
UNKNOWN_QUERY_NONE = gettext_lazy("Ukendt query-parameter. Operationen tager ingen query-parametre.")


def _message(error: dict[str, Any]) -> str:
    loc = error.get("loc") or ()
    if error.get("type") == UNKNOWN_QUERY_PARAMETER and loc and loc[0] == "query":
        accepted = (error.get("ctx") or {}).get("accepted") or []
        return str(UNKNOWN_QUERY) % {"accepted": ", ".join(accepted)} if accepted else str(UNKNOWN_QUERY_NONE)
    template = _MESSAGES.get(str(error.get("type")))
    if str(error.get("type", "")).startswith("date") and "day value is outside expected range" in str(
        (error.get("ctx") or {}).get("error")
    ):
        return str(NO_SUCH_DATE)  # "2026-02-31": written right, but no such day
    if template is None:
        return str(error.get("msg", ""))
    context = {key: str(value) for key, value in (error.get("ctx") or {}).items()}
    if "expected" in context and " or " in context["expected"]:
        # Pydantic lists the choices in English ("'a', 'b' or 'c'"): the last "or" in the
        # request's language, as the rest of the message is.
        first, last = context["expected"].rsplit(" or ", 1)
        context["expected"] = gettext(" eller ").join((first, last))
    try:
        return str(template) % context if "%(" in str(template) else str(template)
    except KeyError:  # a context pydantic did not give: its own text rather than a broken one
        return str(error.get("msg", ""))


@api.exception_handler(ValidationError)
def invalid_input(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """422 with each error's place (``loc``), type and a message in the request's language."""
    detail = [{**error, "msg": _message(error)} for error in exc.errors]
    return api.create_response(request, {"detail": detail}, status=422)


for prefix, router in ROUTERS:
    api.add_router(prefix, router)

# Once, for every operation (before the URLs bind them): an undeclared query parameter is a 422.
forbid_unknown_query_params([api.default_router, *(router for _prefix, router in ROUTERS)])
