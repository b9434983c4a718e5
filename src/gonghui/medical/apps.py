from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MedicalConfig(AppConfig):
    name = "gonghui.medical"
    label = "medical"
    verbose_name = _("Mutual medical aid")
