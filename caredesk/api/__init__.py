"""The REST API at /api/v1 (OpenAPI 3 at /api/v1/openapi.json). Routers hold routes and schemas only."""

from ninja import NinjaAPI

from caredesk.api import channels, customers, escalations, lists, playbooks, problems, tickets
from caredesk.api.auth import SessionAuth, TokenAuth

api = NinjaAPI(
    title="caredesk API",
    version="1",
    description="Tickets, customers, orders and their timelines. Errors are RFC 9457 problem+json.",
    auth=[TokenAuth(), SessionAuth()],
    urls_namespace="api",
    parser=problems.ObjectParser(),
)
problems.install(api)


@api.get("/health", auth=None, tags=["service"])
def health(request):
    """A trivial endpoint: no auth, no database. The benchmarks' baseline."""
    return {"status": "ok"}


api.add_router("", customers.router)
api.add_router("", tickets.router)
api.add_router("", lists.router)
api.add_router("", playbooks.router)
api.add_router("", channels.router)
api.add_router("", escalations.router)
