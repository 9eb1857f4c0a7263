from django.urls import path

from styrbord.planning import views

app_name = "planning"
urlpatterns = [
    path("", views.scenario_list, name="scenario_list"),
    path("ny/", views.scenario_create, name="scenario_create"),
    path("sammenlign/", views.compare, name="compare"),
    path("<int:pk>/", views.scenario_detail, name="scenario_detail"),
    path("<int:pk>/rediger/", views.scenario_edit, name="scenario_edit"),
    path("<int:pk>/koer/", views.run_start, name="run_start"),
    path("koersel/<int:pk>/", views.run_detail, name="run_detail"),
    path("koersel/<int:pk>/status/", views.run_status, name="run_status"),
    path("koersel/<int:pk>/plan.xlsx", views.run_xlsx, name="run_xlsx"),
    path("koersel/<int:pk>/godkend/", views.run_accept, name="run_accept"),
    path("koersel/<int:pk>/godkend/bekraeft/", views.run_confirm, name="run_confirm"),
]
