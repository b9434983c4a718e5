from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    name = "gonghui.orgs"
    label = "orgs"
    verbose_name = _("Union tree")

    def ready(self) -> None:
        from gonghui.core.exports import register_dataset

        from .exports import roles_dataset

        register_dataset("roles", roles_dataset, _("People holding roles"))
