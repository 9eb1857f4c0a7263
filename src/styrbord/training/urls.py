from django.urls import path

from styrbord.training.views import bookings, calendars, catalogue, maintenance, planning

app_name = "training"
urlpatterns = [
    path("", catalogue.course_list, name="course_list"),
    path("kursus/nyt/", maintenance.course_create, name="course_create"),
    path("kursus/<int:pk>/", catalogue.course_detail, name="course_detail"),
    path("kursus/<int:pk>/rediger/", maintenance.course_edit, name="course_edit"),
    path("udbydere/", maintenance.provider_list, name="provider_list"),
    path("udbydere/ny/", maintenance.provider_create, name="provider_create"),
    path("udbydere/<int:pk>/rediger/", maintenance.provider_edit, name="provider_edit"),
    path("kursus/<int:pk>/oensk/", catalogue.add_interest, name="add_interest"),
    path("oensker/<int:pk>/traek-tilbage/", catalogue.withdraw_interest, name="withdraw_interest"),
    path("kursus/<int:pk>/nyt-hold/", catalogue.session_create, name="session_create"),
    path("hold/<int:pk>/", catalogue.session_detail, name="session_detail"),
    path("hold/<int:pk>/ret/", catalogue.session_update, name="session_update"),
    path("hold/<int:pk>/aflys/", catalogue.session_cancel, name="session_cancel"),
    path("hold/<int:pk>/book-flere/", catalogue.session_book_group, name="session_book_group"),
    path("hold/<int:pk>/deltagelse/", catalogue.session_attendance, name="session_attendance"),
    path("booking/<int:pk>/", bookings.booking_detail, name="booking_detail"),
    path("booking/<int:pk>/<slug:action>/", bookings.booking_action, name="booking_action"),
    path("bookinger/", bookings.booking_list, name="booking_list"),
    path("bookinger.xlsx", bookings.booking_list_xlsx, name="booking_list_xlsx"),
    path("mine/", bookings.my_bookings, name="my_bookings"),
    path("udgifter/", bookings.cost_overview, name="cost_overview"),
    path("udgifter.xlsx", bookings.cost_overview_xlsx, name="cost_overview_xlsx"),
    path("fravaer/", planning.absence, name="absence"),
    path("fravaer.xlsx", planning.absence_xlsx, name="absence_xlsx"),
    path("teamdag/", planning.team_day, name="team_day"),
    path("initiativer/", planning.initiative_list, name="initiative_list"),
    path("initiativer/nyt/", planning.initiative_create, name="initiative_create"),
    path("initiativer/<int:pk>/", planning.initiative_detail, name="initiative_detail"),
    path("initiativer/<int:pk>/rediger/", planning.initiative_edit, name="initiative_edit"),
    path("kalender/mine.ics", calendars.my_calendar, name="my_calendar"),
    path("kalender/medarbejder/<int:pk>.ics", calendars.employee_calendar, name="employee_calendar"),
    path("kalender/tilbud/<int:pk>.ics", calendars.facility_calendar, name="facility_calendar"),
]
