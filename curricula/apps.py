from django.apps import AppConfig


class CurriculaConfig(AppConfig):
    name = "curricula"
    verbose_name = "Catalogue"
