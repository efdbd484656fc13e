from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "comptoir.common"
    label = "common"
