"""URLs of a member's curriculum pages; the namespace stays `curricula`, so links keep working."""

from django.urls import path

from curricula import feeds
from notes import curriculum_views as views

app_name = "curricula"

urlpatterns = [
    path("<slug:slug>/", views.detail, name="detail"),
    path("<slug:slug>/tiers/<str:section>/", views.detail, name="section"),
    path("<slug:slug>/follow", views.follow, name="follow"),
    path("<slug:slug>/unfollow", views.unfollow, name="unfollow"),
    path("<slug:slug>/entries/<int:pk>/", views.entry, name="entry"),
    path("<slug:slug>/feed.atom", feeds.RevisionFeed(), name="feed"),
]
