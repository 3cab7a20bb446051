"""The knowledge base in a real browser: an agent writes an article with its live preview and publishes it;
the composer suggests it for a ticket, inserts its link into a reply, and the sent reply shows on the article as
a use; an anonymous visitor reads the public page and votes, and an unhelpful vote with a question opens a
ticket. Every page runs under the strict Content-Security-Policy (the page fixture fails on a violation)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from caredesk.core.audit import Actor

pytestmark = pytest.mark.e2e


@pytest.fixture(autouse=True)
def public_address(settings, live_server):
    """Links to public articles name the installation's public address: here, the live server's."""
    settings.PUBLIC_URL = live_server.url


@pytest.fixture
def renewal(maria):
    from caredesk.knowledge import actions
    from caredesk.knowledge.models import ArticleCategory

    article = actions.create_article(agent=maria, draft=actions.Draft(
        title="How do I renew my US passport by mail?", body="Use **form DS-82** when your passport is undamaged.",
        category=ArticleCategory.objects.get(key="us_passport").pk, tags=["renewal"], visibility="public"))
    return actions.publish(article, agent=maria)


def test_write_and_publish_an_article(page, sign_in, maria):
    from caredesk.knowledge.models import Article

    sign_in("maria")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Knowledge").click()
    page.get_by_role("link", name="New article").click()
    page.get_by_label("Title").fill("Why was my passport photo rejected?")
    page.get_by_label("Category").select_option(label="US Passport")
    page.get_by_label("Tags").fill("photo, rejected")
    page.get_by_label("Public").check()
    page.get_by_label("Body").fill("## Shadows\n\nUse even light. <script>alert(1)</script>")
    preview = page.locator("#article-preview")
    expect(preview.get_by_role("heading", name="Shadows")).to_be_visible()
    expect(preview).to_contain_text("<script>alert(1)</script>")  # shown as text, never run
    page.get_by_role("button", name="Save as draft").click()
    expect(page.locator("[data-status]")).to_have_text("Draft")
    page.get_by_role("button", name="Publish").click()
    expect(page.locator("[data-status]")).to_have_text("Published")
    expect(page.locator(".article-trail")).to_contain_text("published the article")
    page.locator(".public-link").click()
    expect(page.get_by_role("heading", name="Why was my passport photo rejected?")).to_be_visible()
    assert Article.objects.get().status == "published"


def test_insert_an_article_from_the_composer(page, sign_in, maria, dana, renewal):
    from caredesk.knowledge.models import ArticleUse
    from caredesk.knowledge.queries import public_url
    from caredesk.tickets import actions as ticket_actions

    ticket = ticket_actions.create_ticket(actor=Actor.of_agent(maria), requester=dana, assignee=maria,
                                          subject="Passport renewal by mail", description="Which form do I use?")
    sign_in("maria")
    page.goto(f"/tickets/{ticket.pk}/")
    suggestion = page.locator(".article-suggestion", has_text=renewal.title)
    expect(suggestion).to_be_visible()
    suggestion.get_by_role("button", name="Insert link").click()
    body = page.locator("#id_reply-body")
    expect(body).to_have_value(f"{renewal.title}: {public_url(renewal)}\n")
    body.press("Home")
    body.press("Control+Home")
    body.type("Hello Dana, this explains it:\n\n")
    page.get_by_role("button", name="Send reply").click()
    expect(page.locator("#composer")).to_contain_text("Reply sent.")
    use = ArticleUse.objects.get()
    assert (use.article, use.ticket, use.how) == (renewal, ticket, "link")
    page.goto(f"/knowledge/{renewal.pk}/")
    expect(page.locator(".article-uses")).to_contain_text(f"#{ticket.pk} Passport renewal by mail")


def test_search_the_composer_and_insert_the_text(page, sign_in, maria, dana, renewal):
    from caredesk.tickets import actions as ticket_actions

    ticket = ticket_actions.create_ticket(actor=Actor.of_agent(maria), requester=dana, subject="Hello",
                                          description="A question")
    sign_in("maria")
    page.goto(f"/tickets/{ticket.pk}/")
    page.get_by_placeholder("Search articles…").fill("undamaged passport")
    suggestion = page.locator(".article-suggestion", has_text=renewal.title)
    suggestion.get_by_role("button", name="Insert text").click()
    expect(page.locator("#id_reply-body")).to_have_value(f"{renewal.body}\n")


def test_vote_on_a_public_article(page, renewal):
    from caredesk.knowledge.models import ArticleVote
    from caredesk.tickets.models import Ticket

    page.goto("/help/")
    page.get_by_role("link", name=renewal.title).click()
    expect(page.locator(".article-body strong")).to_have_text("form DS-82")
    page.get_by_role("button", name="Yes", exact=True).click()
    expect(page.get_by_role("status")).to_have_text("Thank you for your answer.")
    assert ArticleVote.objects.get().helpful is True
    page.get_by_text("Not what you needed? Ask us").click()
    page.get_by_label("What were you looking for?").fill("Can I renew from abroad?")
    page.get_by_label("Your name").fill("Ann Traveller")
    page.get_by_label("Your email address").fill("ann@example.com")
    page.get_by_role("button", name="Send my question").click()
    expect(page.get_by_role("status")).to_contain_text("We have your question")
    vote = ArticleVote.objects.get()  # the same visitor: the vote changed
    assert vote.helpful is False and vote.ticket == Ticket.objects.get(subject__startswith="Help article did not help")


def test_link_an_article_from_the_new_ticket_page(page, sign_in, maria):
    """SOP 004's tip "Link to a template of what a clear and detailed ticket looks like": chosen on the article,
    followed from the new ticket page."""
    from caredesk.knowledge import actions
    from caredesk.knowledge.models import ArticleCategory

    template = actions.publish(actions.create_article(agent=maria, draft=actions.Draft(
        title="What a clear and detailed ticket looks like", body="- the customer's name\n- contact information",
        category=ArticleCategory.objects.get(key="how_we_work").pk, tags=[], visibility="internal")), agent=maria)
    sign_in("maria")
    page.goto(f"/knowledge/{template.pk}/")
    page.get_by_label("Workspace link").select_option(label="What a clear and detailed ticket looks like")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".flash")).to_contain_text("Linked from the workspace")

    page.goto("/tickets/new/")
    link = page.get_by_role("link", name="What a clear and detailed ticket looks like")
    expect(link).to_have_attribute("href", f"/knowledge/{template.pk}/")
    page.goto(link.get_attribute("href"))
    expect(page.get_by_role("article", name="Article")).to_contain_text("contact information")
