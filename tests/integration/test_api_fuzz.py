"""Fuzz every operation of the OpenAPI schema through the WSGI app with a valid token (schemathesis 4).

No generated request, however odd, may reach a 500, and every answer must be one the document declares, in
the declared content type, with the declared headers and body.
Bounded: a fixed number of examples per operation, derandomised, no deadline (never a timed assertion).
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from caredesk.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
# Examples and random fuzzing; the exhaustive coverage phase would take minutes across every operation.
schema.config.phases.update(phases=["examples", "fuzzing"])


@pytest.fixture
def in_test_transaction():
    """Keep the WSGI app on the test's connection, as Django's test client does: a real request's
    end would otherwise close the connection that holds the test transaction (PostgreSQL)."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def token(in_test_transaction, agent, ticket, order, actor):
    """A valid token, and a ticket (#1-ish), order and customer for path ids to hit now and then; and a worker's
    heartbeat, so that `GET /health` finds a healthy installation (its 503 is a server error to schemathesis)."""
    from caredesk.core import heartbeats
    from caredesk.core.actions import create_api_token
    from caredesk.tickets.actions import NewAttachment, add_supporting_document

    add_supporting_document(ticket, actor=actor, attachment=NewAttachment("a.txt", "text/plain", b"a"))
    _, text = create_api_token(agent, "fuzz")
    heartbeats.beat(heartbeats.WORKER, at_most_every=0)
    return text


# Every answer is documented (status, content type, headers, body), no schema-invalid request is accepted, and
# no operation answers without the token. Not positive_data_acceptance: the schema cannot say which keys the
# team's lists hold or which combinations the rules allow, so a schema-valid request may rightly get a 422.
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance, negative_data_rejection, ignored_auth]


@schema.parametrize()
@settings(max_examples=25, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_api_conforms_and_never_fails(case, token):
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"},
                           checks=CHECKS)
