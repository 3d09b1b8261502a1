import pytest
from django.core.management import call_command

from teams.models import Membership, Team


@pytest.mark.django_db
def test_demo_accounts_join_one_team_once(settings):
    settings.DEBUG = True
    call_command("create_demo_accounts")
    call_command("create_demo_accounts")
    team = Team.objects.get()
    roles = dict(Membership.objects.filter(team=team).values_list("user__username", "role"))
    assert roles == {"manager": "manager", "alice": "member", "bob": "member"}


@pytest.mark.django_db
def test_demo_accounts_refuse_to_run_without_debug(settings):
    from django.contrib.auth import get_user_model
    from django.core.management.base import CommandError

    settings.DEBUG = False
    with pytest.raises(CommandError, match="only created when DEBUG=1"):
        call_command("create_demo_accounts")
    assert not get_user_model().objects.exists()
