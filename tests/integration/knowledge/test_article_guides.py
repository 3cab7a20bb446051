"""The articles the workspace links to (SOP 004's tips: "Link to a template of what a clear and detailed ticket
looks like", "Link your detailed escalation path"; SOP 002's de-escalation page): one published article per
place, chosen by a writer of articles, audited, shown on the new ticket page and the escalation panel."""

from __future__ import annotations

import pytest

from caredesk.core.errors import Conflict, Forbidden, ValidationFailed
from caredesk.knowledge import actions
from caredesk.knowledge.models import Article, ArticleEvent
from tests.integration.helpers import assert_problem
from tests.integration.knowledge.test_article_api import put_json


def test_one_article_per_place_and_each_change_audited(write, agent, back_office):
    first, second = write("A clear ticket"), write("A clearer ticket")
    actions.set_guide(first, agent=agent, guide="ticket")
    actions.set_guide(second, agent=agent, guide="ticket")  # takes the place
    assert dict(Article.objects.filter(pk__in=[first.pk, second.pk]).values_list("title", "guide")) == {
        "A clear ticket": "", "A clearer ticket": "ticket"}
    changes = list(ArticleEvent.objects.filter(action="article.guide_set").order_by("id")
                   .values_list("article__title", "before", "after"))
    assert changes == [("A clear ticket", "", "ticket"), ("A clear ticket", "ticket", ""),
                       ("A clearer ticket", "", "ticket")]
    draft = write("Not yet", publish=False)
    with pytest.raises(Conflict):
        actions.set_guide(draft, agent=agent, guide="escalation")
    with pytest.raises(ValidationFailed):
        actions.set_guide(second, agent=agent, guide="sidebar")
    with pytest.raises(Forbidden):
        actions.set_guide(second, agent=back_office, guide="")
    assert Article.objects.get(pk=second.pk).guide == "ticket"


def test_the_pages_link_to_the_published_guides(client, agent, write, ticket):
    template, path, calm = write("What a clear ticket looks like"), write("Our escalation path"), write("Calm down")
    client.force_login(agent)
    assert "What a clear ticket looks like" not in client.get("/tickets/new/").content.decode()
    for article, place in ((template, "ticket"), (path, "escalation"), (calm, "deescalation")):
        actions.set_guide(article, agent=agent, guide=place)
    new_ticket = client.get("/tickets/new/").content.decode()
    assert f'href="/knowledge/{template.pk}/" class="guide-link"' in new_ticket
    panel = client.get(f"/tickets/{ticket.pk}/").content.decode().split('id="escalation-title"')[1]
    assert panel.index("Calm down") < panel.index("Our escalation path")  # de-escalate first, then escalate
    actions.unpublish(template, agent=agent)  # a draft is linked from nowhere
    assert "What a clear ticket looks like" not in client.get("/tickets/new/").content.decode()


def test_the_article_page_and_the_api_set_it(client, api, api_client_for, back_office, agent, write):
    article = write("Our escalation path")
    client.force_login(agent)
    assert 'name="guide"' in client.get(f"/knowledge/{article.pk}/").content.decode()
    response = client.post(f"/knowledge/{article.pk}/guide/", {"guide": "escalation"})
    assert response.status_code == 302 and Article.objects.get(pk=article.pk).guide == "escalation"
    assert "Linked from the workspace as" in client.get(response["Location"]).content.decode()

    answer = put_json(api, f"/api/v1/articles/{article.pk}/guide", {"guide": ""})
    assert answer.status_code == 200 and answer.json()["guide"] == ""
    assert_problem(put_json(api, f"/api/v1/articles/{article.pk}/guide", {"guide": "sidebar"}), 422, "guide")
    assert_problem(put_json(api_client_for(back_office), f"/api/v1/articles/{article.pk}/guide",
                            {"guide": "ticket"}), 403)
    draft = write("Draft", publish=False)
    assert_problem(put_json(api, f"/api/v1/articles/{draft.pk}/guide", {"guide": "ticket"}), 409, "guide")
