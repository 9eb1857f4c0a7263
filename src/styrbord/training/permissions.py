"""Training's use of the permission helper for rows that are not tenant data (the catalogue)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from django.db.models import Model, Q, QuerySet
from django.http import Http404

from styrbord.accounts.permissions import can, scoped_for
from styrbord.training.models import Initiative

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from styrbord.accounts.models import User

M = TypeVar("M", bound=Model)


def catalogue_for(user: User | AnonymousUser, action: str, object_type: str, queryset: QuerySet[M]) -> QuerySet[M]:
    """Courses and sessions are shared reference data: the policy alone decides."""
    return queryset if can(user, action, object_type) else queryset.none()


def get_catalogue_or_404(
    user: User | AnonymousUser, action: str, object_type: str, queryset: QuerySet[M], **lookup: Any
) -> M:
    try:
        return catalogue_for(user, action, object_type, queryset).get(**lookup)
    except queryset.model.DoesNotExist:  # type: ignore[attr-defined]
        raise Http404 from None


def initiatives_for(user: User | AnonymousUser, action: str) -> QuerySet[Initiative]:
    """The user's municipality's initiatives; reading also shows shared ones (no municipality),
    e.g. a regional budget proposal kept as a worked example."""
    own = scoped_for(user, action, "initiative", Initiative.objects.all())
    if action in ("list", "retrieve", "export") and can(user, action, "initiative"):
        return Initiative.objects.filter(Q(pk__in=own.values("pk")) | Q(municipality__isnull=True))
    return own
