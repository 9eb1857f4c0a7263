"""URLs of the workforce figures (personale/)."""

from django.urls import path

from styrbord.workforce import views

app_name = "workforce"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("eksport.xlsx", views.export, name="export"),
]
