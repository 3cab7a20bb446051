"""The REST API at /api/v1 (OpenAPI 3 at /api/v1/openapi.json). Routers hold routes and schemas only."""

from ninja import Status

from caredesk.api import (analytics, cases, channels, clarifications, configuration, customers, desk, escalations,
                          lists, live, notifications, playbooks, problems, recordings, resolutions, review, sla,
                          surveys, tickets)
from caredesk.api import search as search_api
from caredesk.api import knowledge
from caredesk.api.auth import SessionAuth, TokenAuth
from caredesk.health import check as installation_health

api = problems.ProblemsNinjaAPI(
    title="caredesk API",
    version="1",
    description="Tickets, customers, orders and their timelines. Errors are RFC 9457 problem+json.",
    auth=[TokenAuth(), SessionAuth()],
    urls_namespace="api",
    parser=problems.ObjectParser(),
)
problems.install(api)


@api.get("/health/live", auth=None, tags=["service"])
def liveness(request):
    """This web process answers: no auth, no database. For a load balancer's liveness probe; the benchmarks'
    baseline."""
    return {"status": "ok"}


@api.get("/health", auth=None, tags=["service"], response={200: dict, 503: dict})
def health(request):
    """Each component's health (database, worker, outbox, inbound, SMTP receiver); 503 when one is unhealthy."""
    healthy, body = installation_health()
    return Status(200 if healthy else 503, body)


api.add_router("", customers.router)
api.add_router("", desk.router)  # before tickets: /tickets/bulk is not /tickets/{ticket_id}
api.add_router("", tickets.router)
api.add_router("", lists.router)
api.add_router("", playbooks.router)
api.add_router("", channels.router)
api.add_router("", review.router)
api.add_router("", escalations.router)
api.add_router("", cases.router)
api.add_router("", recordings.router)
api.add_router("", surveys.router)
api.add_router("", clarifications.router)
api.add_router("", analytics.router)
api.add_router("", sla.router)
api.add_router("", notifications.router)
api.add_router("", live.router)
api.add_router("", search_api.router)
api.add_router("", knowledge.router)
api.add_router("", resolutions.router)
api.add_router("", configuration.router)
