from django.urls import path

from styrbord.audit import views

app_name = "audit"
urlpatterns = [
    path("", views.log, name="log"),
    path("registreret/<int:employee_id>/eksport.<str:fmt>", views.subject_export, name="subject_export"),
    path("persondata/<int:employee_id>/", views.employee_data, name="employee_data"),
    path("persondata/<int:employee_id>/eksport.<str:fmt>", views.employee_export, name="employee_export"),
    path("persondata/<int:employee_id>/anonymiser/", views.employee_anonymise, name="employee_anonymise"),
    path("opbevaring/", views.retention, name="retention"),
]
