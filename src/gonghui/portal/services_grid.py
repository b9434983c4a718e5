"""The one-stop entrance: the grid of services on the portal home page.

Each module that exists adds its tiles here; a module that does not exist yet is simply absent.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Tile:
    key: str
    label: str | Promise
    url_name: str
    icon: str  # a short glyph drawn in the tile; no icon font to download
    needs_login: bool = True


TILES: list[Tile] = [
    Tile("profile", _("My account"), "portal:profile", "我"),
    Tile("setup", _("Set up a union"), "portal:org_request", "建"),
    Tile("mydata", _("My data"), "portal:my_data", "档"),
    Tile("language", _("Language"), "portal:language", "文", needs_login=False),
]
