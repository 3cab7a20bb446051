"""Fixtures of the knowledge base tests: a category, a draft and a published public article, a supervisor."""

from __future__ import annotations

import pytest

from caredesk.core import roles


@pytest.fixture
def passports(db):
    from caredesk.knowledge.models import ArticleCategory

    return ArticleCategory.objects.get(key="us_passport")


@pytest.fixture
def write(agent, passports):
    """Write an article through the action (a draft unless `publish`)."""
    from caredesk.knowledge import actions

    def make(title="How to renew a US passport by mail", body="Use **form DS-82** if your passport is undamaged.",
             *, visibility="public", publish=True, tags=("renewal",), by=None):
        article = actions.create_article(agent=by or agent, draft=actions.Draft(
            title=title, body=body, category=passports.pk, tags=list(tags), visibility=visibility))
        return actions.publish(article, agent=by or agent) if publish else article

    return make


@pytest.fixture
def supervisor(make_agent):
    return make_agent("heather", roles.TEAM_SUPERVISOR, first_name="Heather")
