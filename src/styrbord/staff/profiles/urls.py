"""URLs of person pages: competence profile and own profile."""

from django.urls import path

from styrbord.staff.profiles import search, views

urlpatterns = [
    path("", search.employee_search, name="employee_search"),
    path("mig/", views.my_profile, name="my_profile"),
    path("<int:pk>/", views.employee_detail, name="employee_detail"),
]
