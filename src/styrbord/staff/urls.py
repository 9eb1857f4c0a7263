"""Staff URLs: person pages (profiles/) and the HR import (importing/), both in the staff namespace."""

from django.urls import include, path

app_name = "staff"
urlpatterns = [
    path("import/", include("styrbord.staff.importing.urls")),
    path("", include("styrbord.staff.profiles.urls")),
]
