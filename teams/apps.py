from django.apps import AppConfig


class TeamsConfig(AppConfig):
    name = "teams"
    verbose_name = "Teams"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from teams.signals import remember_manager_on_login

        user_logged_in.connect(remember_manager_on_login, dispatch_uid="teams-manager-flag")
