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
    # Membership (members app): joining works without an account; the card and progress are the person's own.
    Tile("join", _("Join the union"), "portal:join", "入", needs_login=False),
    Tile("card", _("My member card"), "portal:membership", "证"),
    Tile("applications", _("My applications"), "portal:applications", "进"),
    Tile("notices", _("My notices"), "portal:notices", "信"),
    # Rights protection (rights app): anyone may ask for help, with or without an account or a name.
    Tile("rights", _("Ask for help"), "portal:rights", "援", needs_login=False),
    # Democratic management: the congress (for delegates), proposals, suggestions, disclosure and the collective
    # contract that covers the member.
    Tile("congress", _("Workers' congress"), "portal:congress_home", "代"),
    Tile("proposals", _("Congress proposals"), "portal:proposals", "提"),
    Tile("suggestions", _("Rationalisation suggestions"), "portal:suggestions", "议"),
    Tile("disclosure", _("Disclosure"), "portal:disclosure", "公"),
    Tile("contracts", _("Collective contract"), "portal:contracts", "约"),
    # Worker services: hardship aid, mutual medical aid, recuperation, worker stations (open to anyone) and
    # member-day benefits.
    Tile("aid", _("Hardship aid"), "portal:aid", "帮"),
    Tile("medical", _("Mutual medical aid"), "portal:medical", "医"),
    Tile("recuperation", _("Recuperation"), "portal:recuperation", "疗"),
    Tile("stations", _("Worker stations"), "portal:stations", "驿", needs_login=False),
    Tile("benefits", _("Member days and benefits"), "portal:benefits", "惠"),
    Tile("profile", _("My account"), "portal:profile", "我"),
    Tile("setup", _("Set up a union"), "portal:org_request", "建"),
    Tile("mydata", _("My data"), "portal:my_data", "档"),
    Tile("language", _("Language"), "portal:language", "文", needs_login=False),
]
