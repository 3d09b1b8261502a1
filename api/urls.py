from django.urls import path

from api import calendar, views

app_name = "api"

urlpatterns = [
    path("settings/tokens/", views.tokens, name="tokens"),
    path("settings/tokens/<int:pk>/revoke", views.token_revoke, name="token_revoke"),
    path("settings/calendar/", views.calendar, name="calendar_settings"),
    path("calendar/<str:secret>.ics", calendar.person_feed, name="calendar"),
    path("calendar/<str:secret>/teams/<slug:slug>.ics", calendar.team_feed, name="team_calendar"),
]
