"""The knowledge base in the workspace (SOP 004: "Utilize a Knowledge Base"): the list of articles, the editor
with its preview, an article with its versions, the tickets that used it and its audit trail, and the
suggestions the composer shows for a ticket.

Every change goes through caredesk.knowledge.actions; a refusal shows its message beside the field it names."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from caredesk.core import events, roles
from caredesk.core.errors import DomainError
from caredesk.knowledge import actions, queries, rendering
from caredesk.knowledge.models import Article, ArticleCategory, ArticleEvent, ArticleVersion
from caredesk.web.forms import show_domain_error
from caredesk.web.permissions import requires
from caredesk.web.views.ticket import load_ticket

STATUS_CHANGES = {"publish": (actions.publish, "Article published."),
                  "unpublish": (actions.unpublish, "Article taken back to draft.")}


class ArticleForm(forms.Form):
    title = forms.CharField(max_length=200)
    category = forms.ModelChoiceField(queryset=ArticleCategory.objects.filter(active=True), empty_label="Choose…")
    tags = forms.CharField(required=False, max_length=1000, help_text="Words separated by commas or spaces.")
    visibility = forms.ChoiceField(choices=Article.Visibility.choices, widget=forms.RadioSelect,
                                   help_text="A public article, once published, is on the help pages for anyone; "
                                             "an internal one is for the team only.")
    body = forms.CharField(max_length=100_000, widget=forms.Textarea(attrs={
        "rows": 18, "data-preview-source": "", "spellcheck": "true"}), help_text="Markdown: # headings, **bold**, "
                                                                             "lists, [links](https://…), tables.")

    def draft(self) -> actions.Draft:
        data = self.cleaned_data
        return actions.Draft(title=data["title"], body=data["body"], category=data["category"].pk,
                             tags=data["tags"].replace(",", " ").split(), visibility=data["visibility"])

    @classmethod
    def of(cls, article: Article) -> ArticleForm:
        return cls(initial={"title": article.title, "category": article.category_id, "tags": ", ".join(article.tags),
                            "visibility": article.visibility, "body": article.body})


def _article(pk: int) -> Article:
    article = queries.articles(published_only=False).filter(pk=pk).first()
    if article is None:
        raise Http404("No such article.")
    return article


@requires(roles.WORK_TICKETS)
def article_list(request):
    get = request.GET
    category = get.get("category", "")
    rows = queries.listing(agent=request.user, text=get.get("q", "")[:250],
                           category=int(category) if category.isdigit() else None,
                           status=get.get("status", "") if get.get("status") in Article.Status.values else "",
                           visibility=get.get("visibility", "") if get.get("visibility") in Article.Visibility.values
                           else "")
    return render(request, "web/knowledge_list.html", {
        "rows": rows, "filters": get, "categories": ArticleCategory.objects.filter(active=True),
        "statuses": Article.Status.choices, "visibilities": Article.Visibility.choices})


def _editor(request, form: ArticleForm, article: Article | None, status: int = 200):
    return render(request, "web/knowledge_editor.html", {
        "form": form, "article": article, "preview": rendering.render(form.data.get("body", "") if form.is_bound
                                                                       else form.initial.get("body", ""))},
        status=status)


def _save(request, article: Article | None):
    form = ArticleForm(request.POST)
    if form.is_valid():
        try:
            if article is None:
                article = actions.create_article(agent=request.user, draft=form.draft())
                messages.success(request, "Article saved as a draft.")
            else:
                article = actions.revise_article(article, agent=request.user, draft=form.draft())
                messages.success(request, f"Article saved as version {article.version}.")
        except DomainError as error:
            show_domain_error(form, error, {})
        else:
            return redirect("web:article", article.pk)
    return _editor(request, form, article, status=422)


@requires(roles.WRITE_ARTICLES)
def new_article(request):
    if request.method == "POST":
        return _save(request, None)
    return _editor(request, ArticleForm(initial={"visibility": Article.Visibility.INTERNAL}), None)


@requires(roles.WRITE_ARTICLES)
def edit_article(request, pk: int):
    article = _article(pk)
    if request.method == "POST":
        return _save(request, article)
    return _editor(request, ArticleForm.of(article), article)


@requires(roles.WRITE_ARTICLES)
@require_POST
def preview(request):
    """The body as it will read (htmx, while typing)."""
    return render(request, "web/partials/article_body.html", {"html": rendering.render(request.POST.get("body", ""))})


def _trail(article: Article) -> list:
    rows = list(ArticleEvent.objects.filter(article=article).order_by("-at", "-id")[:200])
    return list(zip(rows, (sentence.render(events.HTML) for sentence in events.describe_all(rows))))


@requires(roles.WORK_TICKETS)
def article_page(request, pk: int):
    article = _article(pk)
    versions = list(article.versions.select_related("category", "edited_by"))
    return render(request, "web/knowledge_article.html", {
        "article": article, "html": rendering.render(article.body), "versions": versions,
        "uses": queries.uses_of(article), "votes": queries.votes_of(article), "trail": _trail(article),
        "public_url": queries.public_url(article) if article.is_public else "", "guides": Article.Guide.choices})


@requires(roles.WORK_TICKETS)
@require_GET
def article_version(request, pk: int, version: int):
    article = _article(pk)
    old = ArticleVersion.objects.filter(article=article, version=version).select_related("category").first()
    if old is None:
        raise Http404("No such version.")
    return render(request, "web/knowledge_version.html", {"article": article, "old": old,
                                                          "html": rendering.render(old.body)})


@requires(roles.WRITE_ARTICLES)
@require_POST
def change_status(request, pk: int, change: str):
    if change not in STATUS_CHANGES:
        raise Http404(f"No change {change!r}.")
    action, done = STATUS_CHANGES[change]
    try:
        action(_article(pk), agent=request.user)
    except DomainError as error:
        messages.error(request, error.detail)
    else:
        messages.success(request, done)
    return redirect("web:article", pk)


@requires(roles.WRITE_ARTICLES)
@require_POST
def set_guide(request, pk: int):
    """Where the workspace links to the article (the new ticket page, the escalation panel), or nowhere."""
    try:
        article = actions.set_guide(_article(pk), agent=request.user, guide=request.POST.get("guide", ""))
    except DomainError as error:
        messages.error(request, error.detail)
    else:
        messages.success(request, f"Linked from the workspace as “{article.get_guide_display()}”." if article.guide
                         else "No longer linked from the workspace.")
    return redirect("web:article", pk)


@requires(roles.WRITE_ARTICLES)
@require_POST
def restore(request, pk: int, version: int):
    try:
        article = actions.restore_version(_article(pk), agent=request.user, version=version)
    except DomainError as error:
        messages.error(request, error.detail)
    else:
        messages.success(request, f"Version {version} restored as version {article.version}.")
    return redirect("web:article", pk)


@requires(roles.WORK_TICKETS)
@require_GET
def suggestions(request, pk: int):
    """The composer's articles for a ticket (htmx): suggested for its subject and text, or found for `q`."""
    ticket = load_ticket(pk)
    text = request.GET.get("q", "")[:250]
    hits = (queries.search_articles(text, agent=request.user, limit=8) if text.strip()
            else queries.suggestions(ticket, agent=request.user))
    return render(request, "web/partials/article_suggestions.html", {
        "ticket": ticket, "hits": [(hit.article, queries.public_url(hit.article) if hit.article.is_public else "")
                                   for hit in hits], "q": text})
