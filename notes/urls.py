from django.urls import path

from notes import resurfacing_views, views

app_name = "notes"

urlpatterns = [
    path("entries/status", views.status_set, name="status_set"),
    path("entries/<int:pk>/status", views.entry_status, name="status"),
    path("notes/", views.my_notes, name="list"),
    path("notes/export.md", views.export_notes, name="export"),
    path("notes/reading.<str:fmt>", views.export_reading, name="export_reading"),
    path("notes/preview", views.note_preview, name="preview"),
    path("notes/<str:kind>/<int:pk>/edit", views.note_edit, name="edit"),
    path("notes/<int:pk>/", views.note_detail, name="detail"),
    path("notes/<int:pk>/history/", views.note_history, name="history"),
    path("notes/<int:pk>/versions/<int:number>/", views.note_version, name="version"),
    path("notes/<int:pk>/versions/<int:number>/restore", views.note_restore, name="restore"),
    path("notes/<int:pk>/still-true", resurfacing_views.note_still_true, name="still_true"),
    path("changes/<slug:slug>/seen", views.changes_seen, name="changes_seen"),
    path("search/", views.search_page, name="search"),
    path("invitations/<str:token>/", views.invitation, name="invitation"),
]
