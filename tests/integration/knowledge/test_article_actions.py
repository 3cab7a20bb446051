"""Articles through caredesk.knowledge.actions: who may write them, versions kept on every change and restored,
publishing, every change audited; uses recorded from a sent reply only when it still carries the article."""

from __future__ import annotations

import pytest

from caredesk.core import roles
from caredesk.core.audit import Actor
from caredesk.core.errors import Conflict, Forbidden, ValidationFailed
from caredesk.knowledge import actions, queries
from caredesk.knowledge.models import Article, ArticleEvent, ArticleUse, ArticleVersion
from caredesk.tickets import use_cases


def trail(article) -> list[tuple]:
    return list(ArticleEvent.objects.filter(article=article).order_by("id").values_list(
        "action", "actor_label", "field", "before", "after"))


def test_an_agent_writes_a_draft_with_version_one_audited(write, agent, passports):
    article = write(publish=False, tags=("Renewal", "mail", "renewal"))
    assert (article.status, article.version, article.visibility, article.tags) == ("draft", 1, "public",
                                                                                   ["renewal", "mail"])
    assert article.slug == "how-to-renew-a-us-passport-by-mail"
    assert list(ArticleVersion.objects.filter(article=article).values_list("version", "title")) == [
        (1, article.title)]
    assert trail(article) == [("article.created", "maria", "", None, {
        "title": article.title, "category": "US Passport", "visibility": "public", "version": 1})]


def test_a_team_supervisor_writes_articles_and_back_office_may_not(write, supervisor, back_office, passports):
    assert write(by=supervisor).created_by == supervisor
    with pytest.raises(Forbidden):
        actions.create_article(agent=back_office, draft=actions.Draft(title="T", body="B", category=passports.pk))


@pytest.mark.parametrize(("draft", "field"), [
    ({"title": " "}, "title"), ({"title": "x" * 201}, "title"), ({"body": "  "}, "body"), ({"category": None}, "category"),
    ({"visibility": "secret"}, "visibility"), ({"tags": ["two words"]}, "tags"),
])
def test_bad_content_is_refused_naming_the_field(agent, passports, draft, field):
    values = {"title": "T", "body": "B", "category": passports.pk, **draft}
    with pytest.raises(ValidationFailed) as refused:
        actions.create_article(agent=agent, draft=actions.Draft(**values))
    assert refused.value.field == field
    assert not Article.objects.exists()


def test_a_revision_is_a_new_version_and_the_old_text_is_kept(write, supervisor, passports):
    article = write()
    revised = actions.revise_article(article, agent=supervisor, draft=actions.Draft(
        title="Renew a US passport by mail", body=article.body + "\n\nFees: $130.", category=passports.pk,
        tags=["renewal"], visibility="public"))
    assert (revised.version, revised.title, revised.slug) == (2, "Renew a US passport by mail", article.slug)
    assert list(revised.versions.values_list("version", "title")) == [
        (2, "Renew a US passport by mail"), (1, "How to renew a US passport by mail")]
    assert trail(article)[-1] == ("article.revised", "heather", "", None, {"version": 2, "changed": ["title", "body"]})


def test_saving_unchanged_content_writes_nothing(write, agent, passports):
    article = write()
    same = actions.revise_article(article, agent=agent, draft=actions.Draft(
        title=article.title, body=article.body, category=passports.pk, tags=article.tags, visibility="public"))
    assert same.version == 1 and ArticleVersion.objects.count() == 1
    assert [row[0] for row in trail(article)] == ["article.created", "article.published"]


def test_restoring_a_version_writes_its_content_as_a_new_version(write, agent, passports):
    article = write()
    actions.revise_article(article, agent=agent, draft=actions.Draft(
        title="Wrong", body="Wrong text", category=passports.pk, visibility="internal"))
    restored = actions.restore_version(article, agent=agent, version=1)
    assert (restored.version, restored.title, restored.visibility) == (3, article.title, "public")
    assert trail(article)[-1][4] == {"version": 3, "changed": ["title", "body", "tags", "visibility"],
                                 "restored_from": 1}
    with pytest.raises(ValidationFailed):
        actions.restore_version(article, agent=agent, version=9)


def test_publish_and_take_back_to_draft_are_audited_and_not_repeated(write, agent):
    article = write(publish=False)
    article = actions.publish(article, agent=agent)
    assert article.is_public and article.published_at is not None
    with pytest.raises(Conflict):
        actions.publish(article, agent=agent)
    article = actions.unpublish(article, agent=agent)
    assert not article.is_public
    assert [row[:5] for row in trail(article)][1:] == [
        ("article.published", "maria", "status", "draft", "published"),
        ("article.unpublished", "maria", "status", "published", "draft")]


def test_a_sent_reply_records_the_articles_it_still_carries(write, agent, ticket):
    linked, texted = write(), write(title="EIN: who is the responsible party?", body="The person who controls the "
                                    "entity.", visibility="internal")
    removed = write(title="Passport photos", body="Photos must be 2 x 2 inches.")
    body = f"Hello,\n\nSee {queries.public_url(linked)}\n\nThe person who controls the entity."
    reply = use_cases.reply(ticket, actor=Actor.of_agent(agent), body=body)
    uses = actions.record_uses({linked.pk: "link", texted.pk: "text", removed.pk: "text"}, interaction=reply,
                               agent=agent)
    assert [(use.article, use.how, use.ticket_id, use.version) for use in uses] == [
        (linked, "link", ticket.pk, 1), (texted, "text", ticket.pk, 1)]
    assert actions.record_uses({linked.pk: "link"}, interaction=reply, agent=agent) == []  # once per reply
    assert trail(linked)[-1] == ("article.used", "maria", "", None, {
        "ticket": ticket.pk, "interaction": reply.pk, "how": "link", "version": 1})
    assert [use.ticket for use in queries.uses_of(linked)] == [ticket]


def test_an_internal_article_is_never_recorded_as_a_link_nor_a_draft_at_all(write, agent, ticket):
    internal = write(visibility="internal")
    draft = write(title="Draft", body="Not yet.", publish=False)
    body = f"{queries.public_url(internal)} {queries.public_url(draft)} Not yet."
    reply = use_cases.reply(ticket, actor=Actor.of_agent(agent), body=body)
    assert actions.record_uses({internal.pk: "link", draft.pk: "text"}, interaction=reply, agent=agent) == []
    assert not ArticleUse.objects.exists()


def test_uses_are_recorded_on_replies_only(write, agent, ticket):
    note = use_cases.add_note(ticket, actor=Actor.of_agent(agent), body="Use **form DS-82**")
    with pytest.raises(ValidationFailed):
        actions.record_uses({write().pk: "text"}, interaction=note, agent=agent)


def test_an_agent_in_another_role_reads_but_cannot_publish(write, make_agent):
    specialist = make_agent("sam", roles.RESOLUTION_SPECIALIST)
    with pytest.raises(Forbidden):
        actions.unpublish(write(), agent=specialist)
