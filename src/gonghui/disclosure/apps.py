from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DisclosureConfig(AppConfig):
    name = "gonghui.disclosure"
    label = "disclosure"
    verbose_name = _("Enterprise disclosure")
