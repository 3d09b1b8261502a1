"""The project app: site-wide templates, views and start-up wiring."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.apps import AppConfig
from django.apps import apps as global_apps
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS
from django.db.models.signals import post_migrate

SITE_NAME = "Readlist"


def site_from_setting(
    sender: Any, using: str = DEFAULT_DB_ALIAS, apps: Any = global_apps, **kwargs: Any
) -> None:
    """After every migrate, the Sites row says SITE_URL's host and "Readlist", not Django's
    "example.com": allauth puts the site's name in every email subject and its domain in links.
    A name an admin chose (anything but the defaults) is kept."""
    if sender.name != "django.contrib.sites":
        return
    try:
        Site = apps.get_model("sites", "Site")
    except LookupError:
        return
    domain = urlsplit(settings.SITE_URL).netloc
    site = Site.objects.using(using).filter(pk=settings.SITE_ID).first()
    if site is None:
        Site.objects.using(using).create(pk=settings.SITE_ID, domain=domain, name=SITE_NAME)
        return
    name = SITE_NAME if site.name in ("", "example.com", site.domain) else site.name
    if (site.domain, site.name) != (domain, name):
        site.domain, site.name = domain, name
        site.save(using=using)
        from django.contrib.sites.models import SITE_CACHE

        SITE_CACHE.clear()


class ReadlistConfig(AppConfig):
    name = "readlist"

    def ready(self) -> None:
        post_migrate.connect(site_from_setting, dispatch_uid="readlist-site-from-setting")
