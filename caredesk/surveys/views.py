"""The pages a survey email links to. Opening a link shows the answer the customer clicked, pre-selected, and
records nothing (mail scanners open links); only submitting the form records it. A changed link, or one past
its expiry, gets a page that says so."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from caredesk.core import clock
from caredesk.core.errors import DomainError
from caredesk.surveys import actions, links
from caredesk.surveys.forms import NpsForm, RatingForm
from caredesk.surveys.models import NpsSurvey, Survey


def _refused(request, title: str, reason: str, status: int):
    return render(request, "surveys/refused.html", {"title": title, "reason": reason}, status=status)


def _expired(request, expires_at):
    return _refused(request, "This survey has closed",
                    f"Its link was valid until {expires_at:%d %B %Y}. Thank you all the same.", 410)


def _show_error(form, error: DomainError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.detail)


@require_http_methods(["GET", "POST"])
def answer(request, token: str):
    try:
        kind, survey_id, clicked = links.read(token)
    except links.BadLink as error:
        return _refused(request, "This link is not valid", str(error), 404)
    if kind == links.CSAT:
        survey = Survey.objects.filter(pk=survey_id, status=Survey.Status.SENT).select_related("ticket").first()
        return _rating(request, survey, clicked) if survey else _unknown(request)
    nps = NpsSurvey.objects.filter(pk=survey_id).select_related("ticket").first()
    return _nps(request, nps, clicked) if nps else _unknown(request)


def _unknown(request):
    return _refused(request, "This link is not valid", "There is no survey behind it.", 404)


def _rating(request, survey: Survey, clicked):
    if clock.now() >= survey.expires_at:
        return _expired(request, survey.expires_at)
    context = {"survey": survey, "ticket": survey.ticket}
    if request.method == "POST":
        form = RatingForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                survey = actions.record_rating(survey, rating=data["rating"], comment=data["comment"],
                                               reason=data["reason"].pk if data["reason"] else None)
            except actions.LinkExpired:
                return _expired(request, survey.expires_at)
            except DomainError as error:
                _show_error(form, error)
            else:
                return render(request, "surveys/thanks.html", {**context, "survey": survey})
        return render(request, "surveys/rating.html", {**context, "form": form, "choices": form["rating"]},
                      status=422)
    form = RatingForm(initial={"rating": clicked, "reason": survey.reason_id, "comment": survey.comment})
    return render(request, "surveys/rating.html", {**context, "form": form, "choices": form["rating"]})


def _nps(request, nps: NpsSurvey, clicked):
    if clock.now() >= nps.expires_at:
        return _expired(request, nps.expires_at)
    if request.method == "POST":
        form = NpsForm(request.POST)
        if form.is_valid():
            try:
                nps = actions.record_nps(nps, score=form.cleaned_data["score"], comment=form.cleaned_data["comment"])
            except actions.LinkExpired:
                return _expired(request, nps.expires_at)
            except DomainError as error:
                _show_error(form, error)
            else:
                return render(request, "surveys/thanks.html", {"nps": nps})
        return render(request, "surveys/nps.html", {"nps": nps, "form": form, "choices": form["score"]}, status=422)
    form = NpsForm(initial={"score": clicked, "comment": nps.comment})
    return render(request, "surveys/nps.html", {"nps": nps, "form": form, "choices": form["score"]})
