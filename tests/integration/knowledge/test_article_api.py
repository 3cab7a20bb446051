"""The knowledge base through the API: write, revise, publish and restore with problem+json naming the field,
the role checks, the versions, the audit trail, the suggestions for a ticket and the uses of a sent reply."""

from __future__ import annotations

import json

import pytest

from caredesk.core import roles
from caredesk.core.audit import Actor
from caredesk.knowledge import queries
from caredesk.tickets import use_cases
from tests.integration.helpers import assert_problem, post_json


def put_json(client, path: str, payload):
    return client.put(path, data=json.dumps(payload), content_type="application/json")


@pytest.fixture
def payload(passports):
    return {"title": "How to renew a US passport by mail", "body": "Use **form DS-82**.",
            "category": passports.pk, "tags": ["renewal"], "visibility": "public"}


def test_write_publish_revise_and_restore(api, payload):
    created = post_json(api, "/api/v1/articles", payload)
    assert created.status_code == 201, created.content
    article = created.json()
    assert (article["status"], article["version"], article["public_url"]) == ("draft", 1, None)
    assert article["html"] == "<p>Use <strong>form DS-82</strong>.</p>\n"
    published = post_json(api, f"/api/v1/articles/{article['id']}/publish", {}).json()
    assert published["public_url"].endswith(f"/help/{article['slug']}/")
    revised = put_json(api, f"/api/v1/articles/{article['id']}", {**payload, "body": "Use form DS-82 or DS-11."})
    assert revised.json()["version"] == 2
    versions = api.get(f"/api/v1/articles/{article['id']}/versions").json()
    assert [(row["version"], row["body"], row["edited_by"]) for row in versions] == [
        (2, "Use form DS-82 or DS-11.", "maria"), (1, "Use **form DS-82**.", "maria")]
    restored = post_json(api, f"/api/v1/articles/{article['id']}/versions/1/restore", {}).json()
    assert (restored["version"], restored["body"]) == (3, "Use **form DS-82**.")
    trail = api.get(f"/api/v1/articles/{article['id']}/events").json()
    assert [row["summary"] for row in trail] == [
        "wrote the article “How to renew a US passport by mail” in US Passport (public, version 1)",
        "published the article",
        "revised the article to version 2 (body)",
        "revised the article to version 3 (body), restoring version 1",
    ]
    assert post_json(api, f"/api/v1/articles/{article['id']}/unpublish", {}).json()["status"] == "draft"


@pytest.mark.parametrize(("change", "field"), [
    ({"title": ""}, "title"), ({"body": " "}, "body"), ({"category": 99999}, "category"),
    ({"visibility": "secret"}, "visibility"), ({"tags": ["a b"]}, "tags"), ({"colour": "red"}, "colour"),
])
def test_bad_input_is_a_422_naming_the_field(api, payload, change, field):
    response = post_json(api, "/api/v1/articles", {**payload, **change})
    body = assert_problem(response, 422)
    assert field in json.dumps(body)


def test_back_office_reads_articles_but_may_not_write_them(api, api_client_for, back_office, payload):
    article = post_json(api, "/api/v1/articles", payload).json()
    office = api_client_for(back_office)
    assert office.get(f"/api/v1/articles/{article['id']}").status_code == 200
    assert_problem(post_json(office, "/api/v1/articles", payload), 403)
    assert_problem(post_json(office, f"/api/v1/articles/{article['id']}/publish", {}), 403)


def test_a_team_supervisor_writes_and_publishes(api_client_for, supervisor, payload):
    client = api_client_for(supervisor)
    article = post_json(client, "/api/v1/articles", payload).json()
    assert post_json(client, f"/api/v1/articles/{article['id']}/publish", {}).json()["status"] == "published"


def test_the_list_filters_and_searches(api, write):
    write()
    write(title="EIN for a sole proprietor", body="Apply online.", visibility="internal", publish=False)
    titles = lambda query: [row["title"] for row in api.get(f"/api/v1/articles{query}").json()]  # noqa: E731
    assert titles("") == ["EIN for a sole proprietor", "How to renew a US passport by mail"]
    assert titles("?status=draft") == ["EIN for a sole proprietor"]
    assert titles("?visibility=public") == ["How to renew a US passport by mail"]
    assert titles("?q=proprietor") == ["EIN for a sole proprietor"]
    assert titles("?q=zebra") == []


def test_suggestions_for_a_ticket_and_uses_of_a_reply(api, write, ticket, agent):
    renewal = write()
    write(title="Passport photos", body="Two inches square.", publish=False)  # a draft is never suggested
    internal = write(title="Passport escalations", body="Ask a supervisor about an expedited passport renewal.",
                     visibility="internal", tags=())
    from caredesk.tickets.actions import update_ticket

    update_ticket(ticket, actor=Actor.of_agent(agent), subject="Passport renewal by mail")
    suggested = api.get(f"/api/v1/tickets/{ticket.pk}/article-suggestions").json()
    assert [row["article"]["title"] for row in suggested] == [renewal.title, internal.title]
    assert suggested[0]["score"] > suggested[1]["score"]
    reply = use_cases.reply(ticket, actor=Actor.of_agent(agent), body=f"See {queries.public_url(renewal)}")
    uses = post_json(api, f"/api/v1/tickets/{ticket.pk}/interactions/{reply.pk}/articles",
                     {"articles": {str(renewal.pk): "link"}})
    assert uses.status_code == 200, uses.content
    assert [(row["ticket_id"], row["how"]) for row in api.get(f"/api/v1/articles/{renewal.pk}/uses").json()] == [
        (ticket.pk, "link")]
    assert_problem(post_json(api, f"/api/v1/tickets/{ticket.pk}/interactions/{reply.pk}/articles",
                             {"articles": {"x": "link"}}), 422, "articles")
    assert post_json(api, f"/api/v1/tickets/{ticket.pk + 1}/interactions/{reply.pk}/articles",
                     {"articles": {}}).status_code == 404


def test_categories_are_the_teams_list(api):
    names = [row["name"] for row in api.get("/api/v1/article-categories").json()]
    assert "US Passport" in names and "EIN" in names


def test_an_agent_without_a_role_reads_nothing(api_client_for, roleless, write):
    assert_problem(api_client_for(roleless).get(f"/api/v1/articles/{write().pk}"), 403)
    assert roles.WRITE_ARTICLES not in roleless.capabilities
