"""The public help pages: published public articles, by category and one page each, readable without signing in,
with a "was this helpful?" vote. Internal and draft articles answer 404 here, exactly as an unknown address does.

The vote is a POST with Django's CSRF token (the page sets the CSRF cookie for anonymous visitors too). A
visitor is known by a random cookie, an address by the client's IP; both are stored only as keyed digests
(HMAC with the installation's secret key). caredesk.knowledge.actions.vote keeps one vote per visitor and
article and limits the votes per address and hour."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django import forms
from django.conf import settings
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_GET, require_POST

from caredesk.core.errors import DomainError
from caredesk.knowledge import actions, queries, rendering
from caredesk.web.forms import show_domain_error

VISITOR_COOKIE = "caredesk_visitor"
VISITOR_COOKIE_AGE = 365 * 24 * 3600


class VoteForm(forms.Form):
    helpful = forms.ChoiceField(choices=[("yes", "Yes"), ("no", "No")])
    name = forms.CharField(required=False, max_length=200, label="Your name")
    email = forms.EmailField(required=False, max_length=254, label="Your email address")
    question = forms.CharField(required=False, max_length=5000, label="What were you looking for?",
                               widget=forms.Textarea(attrs={"rows": 4}))


def _digest(value: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), value.encode(), hashlib.sha256).hexdigest()


def _article(slug: str):
    article = queries.public_article(slug)
    if article is None:
        raise Http404("No such help article.")
    return article


@require_GET
def help_index(request):
    text = request.GET.get("q", "")[:250]
    return render(request, "web/help_index.html", {
        "categories": queries.public_categories(), "q": text,
        "hits": [hit.article for hit in queries.search_articles(text, public_only=True, limit=20)] if text.strip()
        else None})


def _page(request, article, form: VoteForm, status: int = 200):
    return render(request, "web/help_article.html", {
        "article": article, "html": rendering.render(article.body), "form": form,
        "voted": request.GET.get("voted", ""), "asks": article.category.unhelpful_vote_opens_ticket}, status=status)


@require_GET
@ensure_csrf_cookie
def help_article(request, slug: str):
    return _page(request, _article(slug), VoteForm())


@require_POST
def vote(request, slug: str):
    article = _article(slug)
    form = VoteForm(request.POST)
    visitor = request.COOKIES.get(VISITOR_COOKIE, "")
    if len(visitor) != 32 or not visitor.isalnum():
        visitor = secrets.token_hex(16)
    if form.is_valid():
        data = form.cleaned_data
        try:
            row = actions.vote(article, vote=actions.Vote(
                helpful=data["helpful"] == "yes", visitor=_digest(visitor),
                address=_digest(request.META.get("REMOTE_ADDR", "")), email=data["email"], name=data["name"],
                question=data["question"]))
        except DomainError as error:
            show_domain_error(form, error, {})
        else:
            answer = "ticket" if row.ticket_id and not row.helpful else data["helpful"]
            response = redirect(f"{reverse('web:help-article', args=[article.slug])}?voted={answer}#vote")
            response.set_cookie(VISITOR_COOKIE, visitor, max_age=VISITOR_COOKIE_AGE, httponly=True, samesite="Lax",
                                secure=settings.SESSION_COOKIE_SECURE)
            return response
    return _page(request, article, form, status=422)
