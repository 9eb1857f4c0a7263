"""Facility pages under /tilbud/."""

from django.urls import path

from styrbord.organisations import views

app_name = "organisations"
urlpatterns = [
    path("", views.facility_list, name="facility_list"),
    path("ny/", views.facility_create, name="facility_create"),
    path("<int:pk>/", views.facility_detail, name="facility_detail"),
    path("<int:pk>/rediger/", views.facility_edit, name="facility_edit"),
    path("<int:pk>/minimumsbemanding/", views.minimum_staffing, name="minimum_staffing"),
    path("kommune/", views.municipality_default, name="municipality_overview"),
    path("kommune/<str:code>/", views.municipality_overview, name="municipality_overview"),
]
