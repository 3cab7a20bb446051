"""The knowledge base pages: the workspace's list, editor, preview and article page; the composer's suggestions
and the uses a sent reply records; the public help pages, which never show an internal or draft article, and
their "was this helpful?" vote (CSRF-checked for anonymous visitors, one per visitor, limited per address, an
unhelpful vote opening a ticket when the category says so)."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from caredesk.knowledge import queries
from caredesk.knowledge.models import Article, ArticleCategory, ArticleEvent, ArticleUse, ArticleVote
from caredesk.tickets.models import Interaction, Ticket


@pytest.fixture
def signed_in(client, agent):
    client.force_login(agent)
    return client


def form(passports, **changes) -> dict:
    return {"title": "Passport photos", "category": passports.pk, "tags": "photos, renewal",
            "visibility": "public", "body": "Photos are **2 x 2 inches**.", **changes}


def test_write_preview_and_publish_in_the_workspace(signed_in, passports):
    preview = signed_in.post(reverse("web:article-preview"), {"body": "# Photos\n<script>x()</script>"})
    assert preview.content.decode().strip() == "<h1>Photos</h1>\n<p>&lt;script&gt;x()&lt;/script&gt;</p>"
    saved = signed_in.post(reverse("web:new-article"), form(passports))
    article = Article.objects.get()
    assert saved.url == reverse("web:article", args=[article.pk])
    assert (article.status, article.tags) == ("draft", ["photos", "renewal"])
    signed_in.post(reverse("web:article-status", args=[article.pk, "publish"]))
    page = signed_in.get(reverse("web:article", args=[article.pk])).content.decode()
    assert "<strong>2 x 2 inches</strong>" in page and queries.public_url(Article.objects.get()) in page
    assert "published the article" in page
    edited = signed_in.post(reverse("web:edit-article", args=[article.pk]), form(passports, title="Passport photo rules"))
    assert edited.status_code == 302
    assert "Passport photo rules" in signed_in.get(reverse("web:articles")).content.decode()
    old = signed_in.get(reverse("web:article-version", args=[article.pk, 1])).content.decode()
    assert "Passport photos" in old and "version 1 of 2" in old


def test_the_editor_shows_an_error_beside_its_field(signed_in, passports):
    response = signed_in.post(reverse("web:new-article"), form(passports, body="  ", tags="a+b"))
    assert response.status_code == 422
    assert re.search(r'id="id_body_error"', response.content.decode())
    assert not Article.objects.exists()


def test_back_office_reads_but_does_not_see_the_editor(client, back_office, write):
    article = write()
    client.force_login(back_office)
    assert client.get(reverse("web:article", args=[article.pk])).status_code == 200
    assert client.get(reverse("web:new-article")).status_code == 403
    assert client.post(reverse("web:article-status", args=[article.pk, "unpublish"])).status_code == 403


def test_the_composer_suggests_articles_and_a_sent_reply_records_the_inserted_one(signed_in, write, ticket):
    article = write(title="Where is my passport?", body="Processing takes 6 to 8 weeks.")
    page = signed_in.get(reverse("web:ticket", args=[ticket.pk])).content.decode()
    assert reverse("web:article-suggestions", args=[ticket.pk]) in page
    suggestions = signed_in.get(reverse("web:article-suggestions", args=[ticket.pk])).content.decode()
    assert article.title in suggestions and f'data-insert="{article.title}: {queries.public_url(article)}"' in suggestions
    found = signed_in.get(reverse("web:article-suggestions", args=[ticket.pk]), {"q": "weeks"}).content.decode()
    assert article.title in found
    sent = signed_in.post(reverse("web:compose", args=[ticket.pk, "reply"]), {
        "reply-body": f"Hello,\n\n{article.title}: {queries.public_url(article)}\n", "articles": [f"{article.pk}:link"]})
    assert sent.status_code == 302
    reply = Interaction.objects.get(ticket=ticket, direction="outbound")
    assert list(ArticleUse.objects.values_list("article", "interaction", "how")) == [(article.pk, reply.pk, "link")]
    used = signed_in.get(reverse("web:article", args=[article.pk])).content.decode()
    assert f"#{ticket.pk} {ticket.subject}" in used


def test_a_note_records_no_use(signed_in, write, ticket):
    article = write()
    signed_in.post(reverse("web:compose", args=[ticket.pk, "note"]), {
        "note-body": article.body, "articles": [f"{article.pk}:text"]})
    assert not ArticleUse.objects.exists()


@pytest.fixture
def articles(write):
    return {"public": write(), "internal": write(title="Internal: passport escalations", body="Call the agency.",
                                                   visibility="internal"),
            "draft": write(title="Draft: passport fees", body="Fees are changing.", publish=False)}


def test_public_pages_show_public_published_articles_only(client, articles):
    index = client.get(reverse("web:help"))
    text = index.content.decode()
    assert index.status_code == 200 and articles["public"].title in text
    assert "Internal" not in text and "Draft" not in text
    assert "script-src 'self'" in index["Content-Security-Policy"]
    assert client.get(reverse("web:help-article", args=[articles["public"].slug])).status_code == 200
    for hidden in ("internal", "draft"):
        response = client.get(reverse("web:help-article", args=[articles[hidden].slug]))
        assert response.status_code == 404 and articles[hidden].body not in response.content.decode()
        assert client.post(reverse("web:help-vote", args=[articles[hidden].slug]), {"helpful": "yes"}).status_code == 404
    searched = client.get(reverse("web:help"), {"q": "passport"}).content.decode()
    assert articles["public"].title in searched and "Internal" not in searched and "Draft" not in searched


def test_no_inline_script_or_style_on_a_public_page(client, articles):
    page = client.get(reverse("web:help-article", args=[articles["public"].slug])).content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)", page) and " style=" not in page
    assert not re.search(r"\son[a-z]+=", page)


def vote(client, article, **data):
    page = client.get(reverse("web:help-article", args=[article.slug]))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    return client.post(reverse("web:help-vote", args=[article.slug]), {"csrfmiddlewaretoken": token, **data})


def test_a_vote_needs_the_csrf_token_even_without_signing_in(db, articles):
    browser = Client(enforce_csrf_checks=True)
    assert browser.post(reverse("web:help-vote", args=[articles["public"].slug]), {"helpful": "yes"}).status_code == 403
    assert not ArticleVote.objects.exists()
    answered = vote(browser, articles["public"], helpful="yes")
    assert answered.status_code == 302 and answered.url.endswith("?voted=yes#vote")
    assert ArticleVote.objects.get().helpful is True
    assert "Thank you for your answer." in browser.get(answered.url).content.decode()


def test_one_vote_per_visitor_and_a_limit_per_address(db, articles, settings):
    browser = Client(enforce_csrf_checks=True)
    vote(browser, articles["public"], helpful="yes")
    vote(browser, articles["public"], helpful="no")
    assert list(ArticleVote.objects.values_list("helpful", flat=True)) == [False]  # replaced, not added
    assert list(ArticleEvent.objects.filter(action="article.voted").values_list("after", flat=True)) == [
        {"helpful": True, "ticket": None}, {"helpful": False, "ticket": None}]
    settings.KNOWLEDGE_VOTES_PER_HOUR = 2
    vote(Client(enforce_csrf_checks=True), articles["public"], helpful="yes")  # another visitor, same address
    refused = vote(Client(enforce_csrf_checks=True), articles["public"], helpful="yes")
    assert refused.status_code == 422 and "Too many votes" in refused.content.decode()
    assert ArticleVote.objects.count() == 2


def test_an_unhelpful_vote_with_a_question_opens_a_ticket_when_the_category_says_so(db, articles):
    browser = Client(enforce_csrf_checks=True)
    missing = vote(browser, articles["public"], helpful="no", question="Can I renew from abroad?")
    assert missing.status_code == 422 and "Give your email address" in missing.content.decode()
    asked = vote(browser, articles["public"], helpful="no", question="Can I renew from abroad?",
                 email="traveller@example.com", name="Ann Traveller")
    assert asked.url.endswith("?voted=ticket#vote")
    ticket = Ticket.objects.get()
    assert ticket.requester.name == "Ann Traveller"
    assert ticket.subject == f"Help article did not help: {articles['public'].title}"
    assert "Can I renew from abroad?" in ticket.description and queries.public_url(articles["public"]) in ticket.description
    assert ArticleVote.objects.get().ticket == ticket


def test_an_unhelpful_vote_opens_no_ticket_when_the_category_does_not(db, articles, passports):
    ArticleCategory.objects.filter(pk=passports.pk).update(unhelpful_vote_opens_ticket=False)  # as in the admin
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(reverse("web:help-article", args=[articles["public"].slug])).content.decode()
    assert "What were you looking for?" not in page
    assert vote(browser, articles["public"], helpful="no", question="Abroad?",
                email="traveller@example.com").url.endswith("?voted=no#vote")
    assert not Ticket.objects.exists()
