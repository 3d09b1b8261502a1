from django.urls import path

from teams import together_views, views

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
    path("team/", together_views.mine, name="mine"),
    path("teams/<slug:slug>/together/", together_views.team_page, name="together"),
    path(
        "teams/<slug:slug>/together/notes/<int:note_id>/",
        together_views.thread,
        name="thread",
    ),
    path(
        "teams/<slug:slug>/together/notes/<int:note_id>/comments",
        together_views.comment_create,
        name="comment_create",
    ),
    path(
        "teams/<slug:slug>/together/comments/<int:pk>/edit",
        together_views.comment_edit,
        name="comment_edit",
    ),
    path(
        "teams/<slug:slug>/together/comments/<int:pk>/history",
        together_views.comment_history,
        name="comment_history",
    ),
    path(
        "teams/<slug:slug>/together/comments/<int:pk>/remove",
        together_views.comment_remove,
        name="comment_remove",
    ),
    path("digest/", views.digest, name="digest"),
    path("digest/discussion", together_views.discussion_emails, name="discussion_emails"),
    path("digest/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
