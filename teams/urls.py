from django.urls import path

from teams import views

app_name = "teams"

urlpatterns = [
    path("teams/", views.team_list, name="list"),
    path("teams/<slug:slug>/", views.dashboard, name="dashboard"),
    path("teams/<slug:slug>/dashboard.csv", views.dashboard_csv, name="dashboard_csv"),
    path("teams/<slug:slug>/people/<int:user_id>/", views.member, name="member"),
    path("teams/<slug:slug>/people/<int:user_id>/detail.csv", views.member_csv, name="member_csv"),
    path("teams/<slug:slug>/assignments/", views.assignments, name="assignments"),
    path("teams/<slug:slug>/assignments/<int:pk>/edit", views.assignment_edit, name="edit"),
    path("teams/<slug:slug>/assignments/<int:pk>/delete", views.assignment_delete, name="delete"),
    path("digest/", views.digest, name="digest"),
    path("digest/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
