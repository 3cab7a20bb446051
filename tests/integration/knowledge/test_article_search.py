"""Article searches: found as soon as they are written, by every word typed in any form, title matches first;
the public search finds published public articles only, and stops finding one taken back to draft or made
internal. Articles are also the search engine's source "article": the workspace search box finds them."""

from __future__ import annotations

from django.urls import reverse

from caredesk.knowledge import actions, queries
from caredesk.search.queries import search


def titles(hits) -> list[str]:
    return [hit.article.title for hit in hits]


def test_an_article_is_found_at_once_and_by_its_tags_and_category(write, agent):
    article = write(title="Renew by mail", body="Use form DS-82.", tags=("renewal",))
    assert titles(queries.search_articles("DS-82 form", agent=agent)) == ["Renew by mail"]
    assert titles(queries.search_articles("renewal", agent=agent)) == ["Renew by mail"]
    assert titles(queries.search_articles("passport", agent=agent)) == ["Renew by mail"]  # its category
    assert titles(queries.search_articles("zebra", agent=agent)) == []
    [hit] = search("DS-82", agent=agent).hits  # the workspace search, every source
    assert (hit.source, hit.url) == ("article", reverse("web:article", args=[article.pk]))


def test_a_title_match_ranks_above_a_body_match(write, agent):
    write(title="Passport photos", body="Two inches square.")
    write(title="Fees", body="The photos are not refunded.")
    assert titles(queries.search_articles("photos", agent=agent)) == ["Passport photos", "Fees"]


def test_the_public_search_finds_published_public_articles_only(write, agent, passports):
    public = write(title="Renew by mail", body="Use form DS-82.")
    write(title="Renew escalations", body="Call the agency about DS-82.", visibility="internal")
    write(title="Renew draft", body="DS-82 fees.", publish=False)
    assert titles(queries.search_articles("DS-82", public_only=True)) == ["Renew by mail"]
    assert sorted(titles(queries.search_articles("DS-82", agent=agent))) == ["Renew by mail", "Renew escalations"]
    assert sorted(titles(queries.search_articles("DS-82", agent=agent, published_only=False))) == [
        "Renew by mail", "Renew draft", "Renew escalations"]
    actions.revise_article(public, agent=agent, draft=actions.Draft(
        title=public.title, body=public.body, category=passports.pk, visibility="internal"))
    assert titles(queries.search_articles("DS-82", public_only=True)) == []
    actions.revise_article(public, agent=agent, draft=actions.Draft(
        title=public.title, body=public.body, category=passports.pk, visibility="public"))
    actions.unpublish(public, agent=agent)
    assert titles(queries.search_articles("DS-82", public_only=True)) == []


def test_a_revision_is_searched_by_its_new_words_only(write, agent, passports):
    article = write(title="Renew by mail", body="Use form DS-82.")
    actions.revise_article(article, agent=agent, draft=actions.Draft(
        title="Renew in person", body="Use form DS-11.", category=passports.pk, visibility="public"))
    assert titles(queries.search_articles("DS-82", agent=agent)) == []
    assert titles(queries.search_articles("person", agent=agent)) == ["Renew in person"]


def test_an_agent_without_a_role_finds_no_article(write, roleless):
    write(title="Renew by mail", body="Use form DS-82.")
    assert queries.search_articles("DS-82", agent=roleless) == []


def test_the_workspace_search_page_links_an_article(client, agent, write):
    article = write(title="Renew by mail", body="Use form DS-82.")
    client.force_login(agent)
    page = client.get(reverse("web:search"), {"q": "DS-82"}).content.decode()
    assert reverse("web:article", args=[article.pk]) in page and "Renew by mail" in page


def test_suggestions_take_the_ticket_words_in_any_form_and_never_a_draft(write, agent, ticket):
    from caredesk.core.audit import Actor
    from caredesk.tickets.actions import update_ticket

    renewal = write(title="Renew by mail", body="Use form DS-82 for a renewal.", tags=())
    write(title="Refunds", body="Ask within 30 days.", publish=False)
    ticket = update_ticket(ticket, actor=Actor.of_agent(agent), subject="Renewals and refunds", description="")
    assert titles(queries.suggestions(ticket, agent=agent)) == [renewal.title]


def test_suggestions_rank_articles_matching_more_of_the_ticket_words_first(write, agent, ticket, passports):
    from caredesk.core.audit import Actor
    from caredesk.tickets.actions import update_ticket

    write(title="Mail", body="Mail it.", tags=())
    both = write(title="Renewal by mail", body="Renew by mail.", tags=())
    ticket = update_ticket(ticket, actor=Actor.of_agent(agent), subject="Mail my renewal", description="")
    assert titles(queries.suggestions(ticket, agent=agent)) == [both.title, "Mail"]
