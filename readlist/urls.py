"""Top-level URL configuration."""

from django.contrib import admin
from django.urls import include, path, re_path

from api.main import api, not_found
from readlist import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("curricula/", include("notes.curriculum_urls")),
    path("", include("notes.urls")),
    path("", include("teams.urls")),
    path("api/v1/", api.urls),
    re_path(r"^api/", not_found),
    path("", include("api.urls")),
]

# A database outage met outside a view still gets the 503 page; anything else is a plain 500.
handler500 = "readlist.outage.server_error"
