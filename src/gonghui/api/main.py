from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI

from . import errors
from .auth import AUTH
from .routers import aid as aid_router
from .routers import auth as auth_router
from .routers import benefits as benefits_router
from .routers import congress as congress_router
from .routers import contracts as contracts_router
from .routers import disclosure as disclosure_router
from .routers import medical as medical_router
from .routers import members as members_router
from .routers import orgs as orgs_router
from .routers import proposals as proposals_router
from .routers import recuperation as recuperation_router
from .routers import rights as rights_router
from .routers import rights_legal as rights_legal_router
from .routers import rights_risk as rights_risk_router
from .routers import stations as stations_router
from .routers import suggestions as suggestions_router

api = NinjaAPI(
    title="gonghui API",
    version="1",
    description=str(
        _("The gonghui smart union platform API. Authenticate with the session or a bearer token.")
    ),
    auth=AUTH,
    urls_namespace="api",
)
errors.install(api)
api.add_router("/auth", auth_router.router)
api.add_router("/orgs", orgs_router.router)
api.add_router("/members", members_router.router)
api.add_router("/rights", rights_router.router)
api.add_router("/rights/risk", rights_risk_router.router)
api.add_router("/rights/legal", rights_legal_router.router)
api.add_router("/rights/mediation", rights_legal_router.mediation_router)
api.add_router("/congress", congress_router.router)
api.add_router("/proposals", proposals_router.router)
api.add_router("/suggestions", suggestions_router.router)
api.add_router("/disclosure", disclosure_router.router)
api.add_router("/contracts", contracts_router.router)
api.add_router("/aid", aid_router.router)
api.add_router("/medical", medical_router.router)
api.add_router("/recuperation", recuperation_router.router)
api.add_router("/stations", stations_router.router)
api.add_router("/benefits", benefits_router.router)
