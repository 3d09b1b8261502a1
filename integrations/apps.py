from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "integrations"
    verbose_name = "Integrations"

    def ready(self) -> None:
        # The delivery task registers itself in curricula.jobs, through which services enqueue.
        from integrations import tasks  # noqa: F401
