from django.apps import AppConfig


class TeamsConfig(AppConfig):
    name = "teams"
    verbose_name = "Teams"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from notes import deadlines
        from teams.selectors import member_deadlines
        from teams.signals import remember_manager_on_login

        # Members' pages show where they stand as their managers see it (notes/deadlines.py).
        deadlines.register(member_deadlines)

        user_logged_in.connect(remember_manager_on_login, dispatch_uid="teams-manager-flag")

        from allauth.account.signals import user_signed_up

        from teams.signals import onboard_invited

        # An invitation that names a team places the new person there (teams.services).
        user_signed_up.connect(onboard_invited, dispatch_uid="teams-onboard-invited")

        # The comment-mail task registers itself in curricula.jobs, through which
        # teams.discussion enqueues (services never import tasks).
        from teams import tasks  # noqa: F401
