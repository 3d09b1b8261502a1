from django.urls import path

from curricula import views

app_name = "curricula"

urlpatterns = [
    path("<slug:slug>/", views.detail, name="detail"),
]
