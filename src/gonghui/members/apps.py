from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "gonghui.members"
    label = "members"
    verbose_name = _("Membership")

    def ready(self) -> None:
        from gonghui.core.exports import register_dataset

        from .bulk import members_dataset

        # The member list in full goes through core's two-person export workflow (ExportRequest).
        register_dataset("members", members_dataset, _("Members"))
