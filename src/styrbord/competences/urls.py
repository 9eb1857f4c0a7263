"""Competence pages under /kompetencer/."""

from django.urls import path

from styrbord.competences import views

app_name = "competences"
urlpatterns = [
    path("", views.competence_list, name="competence_list"),
    path("udloeber/", views.expiring, name="expiring"),
    path("udloeber.xlsx", views.expiring_export, name="expiring_export"),
]
