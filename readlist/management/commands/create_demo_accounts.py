"""Demo accounts for a local run: one admin, one manager, two members. Never in production."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

DEMO_ACCOUNTS = [
    ("admin", "admin@example.com", "Ada Admin", "admin"),
    ("manager", "manager@example.com", "Max Manager", "manager"),
    ("alice", "alice@example.com", "Alice Member", "member"),
    ("bob", "bob@example.com", "Bob Member", "member"),
]


class Command(BaseCommand):
    help = "Create the demo accounts (DEBUG only) and print their passwords once."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("Demo accounts are only created when DEBUG=1.")
        User = get_user_model()
        created = []
        with transaction.atomic():
            for username, email, full_name, role in DEMO_ACCOUNTS:
                if User.objects.filter(username=username).exists():
                    continue
                first, last = full_name.split(" ", 1)
                password = secrets.token_urlsafe(9)
                user = User.objects.create_user(
                    username=username,
                    email=email,
                    password=password,
                    first_name=first,
                    last_name=last,
                    is_staff=role == "admin",
                    is_superuser=role == "admin",
                )
                self._verify_email(user)
                created.append((username, email, role, password))
            self._setup_team()
        if created:
            self.stdout.write(
                self.style.SUCCESS("Demo accounts (shown once; sign in with email or username):")
            )
            for username, email, role, password in created:
                self.stdout.write(f"  {role:<8} {username:<8} {email:<22} password: {password}")
        else:
            self.stdout.write(
                "Demo accounts already exist (admin, manager, alice, bob); their passwords were "
                "printed when they were made. Reset one with: .venv/bin/python manage.py "
                "changepassword USERNAME"
            )

    def _verify_email(self, user) -> None:
        from allauth.account.models import EmailAddress

        EmailAddress.objects.update_or_create(
            user=user, email=user.email, defaults={"verified": True, "primary": True}
        )

    def _setup_team(self) -> None:
        """Join the demo people into a team, once the teams app exists."""
        try:
            from teams import services as team_services
        except ImportError:
            return
        team_services.ensure_demo_team()
