from django.apps import AppConfig


class CurriculaConfig(AppConfig):
    name = "curricula"
    verbose_name = "Catalogue"

    def ready(self) -> None:
        # The tasks register themselves in curricula.jobs, through which services enqueue.
        from curricula import tasks  # noqa: F401
