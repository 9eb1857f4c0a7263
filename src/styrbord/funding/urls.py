"""Funding URLs, mounted under oekonomi/."""

from django.urls import path

from styrbord.funding.views import appropriations, bookings, grants, package, pools

app_name = "funding"
urlpatterns = [
    path("", pools.pool_list, name="pool_list"),
    path("puljer/ny/", pools.pool_create, name="pool_create"),
    path("puljer/<int:pk>/", pools.pool_detail, name="pool_detail"),
    path("puljer/<int:pk>/ret/", pools.pool_edit, name="pool_edit"),
    path("puljer/<int:pool_pk>/tilsagn/ny/", grants.grant_create, name="grant_create"),
    path("puljer/<int:pk>/tilskudspakke.xlsx", package.package_xlsx_view, name="package_xlsx"),
    path("puljer/<int:pk>/tilskudspakke.docx", package.package_docx_view, name="package_docx"),
    path("frister/<int:pk>/indsendt/", pools.deadline_done, name="deadline_done"),
    path("tilsagn/<int:pk>/", grants.grant_detail, name="grant_detail"),
    path("tilsagn/<int:pk>/postering/", grants.entry_create, name="entry_create"),
    path("tilsagn/<int:pk>/posteringer.xlsx", grants.ledger_xlsx, name="ledger_xlsx"),
    path("posteringer/<int:pk>/tilbagefoer/", grants.entry_reverse, name="entry_reverse"),
    path("posteringer/<int:pk>/korriger/", grants.entry_correct, name="entry_correct"),
    path("bookinger/<int:pk>/fordel/", bookings.booking_charge, name="booking_charge"),
    path("bookinger/<int:pk>/bogfoer/", bookings.booking_post_actuals, name="booking_post_actuals"),
    path("bevillinger/ny/", appropriations.appropriation_create, name="appropriation_create"),
    path("bevillinger/<int:pk>/", appropriations.appropriation_detail, name="appropriation_detail"),
    path("kommuner/<str:code>/", pools.municipality_overview, name="municipality_overview"),
]
