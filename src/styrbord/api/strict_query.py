"""Unknown query parameters answer 422, for every operation, instead of being silently ignored.

A typo like ``GET /employments?facilty=3`` used to return every employment in scope: a sync job
then quietly read the wrong set. ``forbid_unknown_query_params`` gives each operation one more
Ninja parameter model, the guard, which knows the query names the operation declares (those of
its own query models, i.e. what the OpenAPI schema lists) and refuses any other. The guard fails
like any other parameter model (a pydantic ``ValidationError``), so Ninja reports its errors
together with the operation's own, in the API's usual 422 shape::

    {"detail": [{"loc": ["query", "facilty"], "type": "extra_forbidden",
                 "msg": "...", "ctx": {"accepted": ["page", "page_size", "facility", ...]}}]}

The message (in the request's language) is made by ``main._message`` from ``ctx``. The guard has
no fields, so it adds nothing to the OpenAPI schema, where query parameters cannot say "no others"
anyway; a client generated from the schema sends only the declared ones. The check runs after
authentication (401 first), like Ninja's own parameter validation.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from django.http import HttpRequest
from ninja import Router
from ninja.operation import Operation
from ninja.params.models import QueryModel
from pydantic_core import InitErrorDetails, PydanticCustomError, ValidationError

UNKNOWN_QUERY_PARAMETER = "extra_forbidden"  # pydantic's type for a field a model does not declare


class UnknownQueryGuard(QueryModel):
    """A query "model" without fields: resolves to nothing, or fails for undeclared names."""

    __ninja_param_source__ = "query"  # type: ignore[assignment]  # ninja types it None, and sets it so
    __ninja_flatten_map__: ClassVar[dict[str, tuple[str, ...]]] = {}
    __ninja_flatten_map_reverse__: ClassVar[dict[Any, tuple[str, ...]]] = {}
    __ninja_collection_fields__: ClassVar[list[str]] = []
    accepted: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def resolve(cls, request: HttpRequest, api: Any, path_params: dict[str, Any]) -> UnknownQueryGuard:
        unknown = [name for name in request.GET if name not in cls.accepted]
        if unknown:
            raise ValidationError.from_exception_data(
                cls.__name__,
                [
                    InitErrorDetails(
                        type=PydanticCustomError(
                            UNKNOWN_QUERY_PARAMETER,
                            "Unknown query parameter; accepted: {accepted}",
                            {"accepted": list(cls.accepted)},
                        ),
                        loc=(name,),
                        input=request.GET.get(name),
                    )
                    for name in unknown
                ],
            )
        return cls()


def declared_query_names(operation: Operation) -> tuple[str, ...]:
    """The query parameter names an operation declares (as the OpenAPI schema lists them)."""
    names: list[str] = []
    for model in operation.models:
        if model.__ninja_param_source__ != "query" or issubclass(model, UnknownQueryGuard):
            continue
        flatten_map = getattr(model, "__ninja_flatten_map__", None)
        if flatten_map is None:
            flatten_map = {f.alias or name: (name,) for name, f in model.model_fields.items()}
        names += [name for name in flatten_map if name not in names]
    return tuple(names)


def guard(operation: Operation) -> None:
    """Give ``operation`` its guard (once): any query name it does not declare answers 422."""
    if any(issubclass(model, UnknownQueryGuard) for model in operation.models):
        return
    accepted = declared_query_names(operation)
    name = f"{(operation.operation_id or operation.view_func.__name__).title().replace('_', '')}UnknownQueryGuard"
    model = type(name, (UnknownQueryGuard,), {"__module__": __name__, "accepted": accepted})
    operation.models = [*operation.models, model]


def operations(routers: Iterable[Router]) -> list[Operation]:
    return [op for router in routers for view in router.path_operations.values() for op in view.operations]


def forbid_unknown_query_params(routers: Iterable[Router]) -> None:
    """Guard every operation of ``routers``; call before the API's URLs are built (binding copies
    each operation with its models, so the guard goes with it)."""
    for operation in operations(routers):
        guard(operation)
