"""URLs of person pages: competence profile and own profile."""

from django.urls import path

from styrbord.staff.profiles import education, holdings, search, views

urlpatterns = [
    path("", search.employee_search, name="employee_search"),
    path("mig/", views.my_profile, name="my_profile"),
    path("<int:pk>/", views.employee_detail, name="employee_detail"),
    path("<int:pk>/uddannelse/", education.education_update, name="employee_education"),
    path("uddannelser/", education.education_list, name="education_list"),
    path("<int:pk>/kompetence/ny/", holdings.holding_create, name="holding_create"),
    path("kompetence/<int:pk>/fjern/", holdings.holding_remove, name="holding_remove"),
]
