"""Top-level URL configuration."""

from django.contrib import admin
from django.urls import include, path

from readlist import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("curricula/", include("notes.curriculum_urls")),
    path("", include("notes.urls")),
    path("", include("teams.urls")),
]
