from django.apps import AppConfig


class DeskConfig(AppConfig):
    name = "comptoir.desk"
    label = "desk"
