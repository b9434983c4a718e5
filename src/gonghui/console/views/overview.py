"""The worker-services panel of the console overview: one figure per service for the current union's subtree,
each linking to that service's statistics. Only for those who may see the services ("services.view")."""

from __future__ import annotations

import datetime
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.aid import selectors as aid
from gonghui.benefits import selectors as benefits
from gonghui.medical import selectors as medical
from gonghui.orgs.models import Org
from gonghui.orgs.selectors import actor_can
from gonghui.recuperation import selectors as recuperation
from gonghui.stations import selectors as stations

VIEW = "services.view"


def worker_services(*, actor: Any, org: Org) -> list[dict[str, Any]]:
    """Five tiles (title, figure, what the figure counts, a second line, link); empty without the permission.
    Eight queries, each one aggregate over the subtree's index range."""
    if not actor_can(actor, VIEW, org):
        return []
    today = timezone.localdate()
    year = today.year
    a = aid.dashboard_figures(actor=actor, org=org, year=year)
    m = medical.dashboard_figures(actor=actor, org=org, year=year)
    r = recuperation.dashboard_figures(actor=actor, org=org, year=year)
    s = stations.dashboard_figures(actor=actor, org=org, since=today - datetime.timedelta(days=29))
    b = benefits.dashboard_figures(actor=actor, org=org, year=year)
    return [
        {
            "key": "aid",
            "title": _("Hardship aid"),
            "figure": int(a["amount"]),  # whole yuan: a headline figure
            "unit": _("yuan paid this year"),
            "detail": _("%(paid)s payments · %(reviewing)s under review") % a,
            "url": reverse("console:aid_stats"),
        },
        {
            "key": "medical",
            "title": _("Mutual medical aid"),
            "figure": m["enrolled"],
            "unit": _("members enrolled this year"),
            "detail": _("%(amount)s yuan paid out · %(waiting)s claims waiting") % m,
            "url": reverse("console:medical_stats"),
        },
        {
            "key": "recuperation",
            "title": _("Recuperation"),
            "figure": r["placed"],
            "unit": _("places given this year"),
            "detail": _("%(applied)s applications · %(attended)s attended") % r,
            "url": reverse("console:recuperation_stats"),
        },
        {
            "key": "stations",
            "title": _("Worker stations"),
            "figure": s["visits"],
            "unit": _("visits in the last 30 days"),
            "detail": _("%(open)s stations in service") % s,
            "url": reverse("console:station_stats"),
        },
        {
            "key": "benefits",
            "title": _("Member days and benefits"),
            "figure": b["signups"],
            "unit": _("sign-ups this year"),
            "detail": _("%(won)s places confirmed") % b,
            "url": reverse("console:benefits_stats"),
        },
    ]
