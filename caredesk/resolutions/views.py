"""The customer's side of SOP 004's "Confirm Problem Resolution": the page a confirmation message links to.

Opening a link changes nothing (mail scanners open links): the page shows buttons, and only a POST from it
reopens the ticket, confirms the resolution or sets the preferred channel.
"""

from __future__ import annotations

from django import forms
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from caredesk.core.errors import DomainError
from caredesk.customers.models import Customer
from caredesk.resolutions import actions
from caredesk.resolutions.tokens import InvalidLink


class ChannelForm(forms.Form):
    preferred_channel = forms.ChoiceField(label="How do you prefer us to contact you?",
                                          choices=Customer.PreferredChannel.choices, widget=forms.RadioSelect)


class NotFixedForm(forms.Form):
    comment = forms.CharField(label="What is still wrong? (optional)", required=False, max_length=4000,
                              widget=forms.Textarea(attrs={"rows": 3}))


DONE = {"fixed": "Thank you for confirming. We are glad it is resolved.",
        "channel": "Thank you: we will use your preferred channel."}


def _done(token: str, what: str):
    return redirect(f"{reverse('resolutions:confirm', args=[token])}?done={what}")


def _invalid(request):
    return render(request, "resolutions/invalid_link.html", status=404)


def _page(request, token: str, resolution, *, channel_form=None, message: str = "", status: int = 200):
    customer = resolution.ticket.requester
    return render(request, "resolutions/confirmation.html", {
        "token": token, "resolution": resolution, "ticket": resolution.ticket, "customer": customer,
        "channel_form": channel_form or ChannelForm(initial={"preferred_channel": customer.preferred_channel}),
        "not_fixed_form": NotFixedForm(), "message": message}, status=status)


def confirmation_page(request, token: str):
    try:
        resolution = actions.resolution_from_link(token)
    except InvalidLink:
        return _invalid(request)
    return _page(request, token, resolution, message=DONE.get(request.GET.get("done", ""), ""))


@require_POST
def not_fixed(request, token: str):
    try:
        ticket = actions.customer_not_fixed(token, comment=request.POST.get("comment", ""))
    except InvalidLink:
        return _invalid(request)
    return render(request, "resolutions/reopened.html", {"ticket": ticket})


@require_POST
def fixed(request, token: str):
    try:
        actions.customer_confirmed(token)
    except InvalidLink:
        return _invalid(request)
    return _done(token, "fixed")


@require_POST
def confirmation_channel(request, token: str):
    try:
        resolution = actions.resolution_from_link(token)
    except InvalidLink:
        return _invalid(request)
    form = ChannelForm(request.POST)
    if form.is_valid():
        try:
            actions.set_preferred_channel(resolution.ticket.requester, form.cleaned_data["preferred_channel"])
        except DomainError as error:
            form.add_error("preferred_channel", error.detail)
        else:
            return _done(token, "channel")
    return _page(request, token, resolution, channel_form=form, status=422)


def preferences(request, token: str):
    try:
        customer = actions.customer_from_link(token)
    except InvalidLink:
        return _invalid(request)
    form = ChannelForm(request.POST or None, initial={"preferred_channel": customer.preferred_channel})
    saved = False
    if request.method == "POST" and form.is_valid():
        try:
            customer = actions.set_preferred_channel(customer, form.cleaned_data["preferred_channel"])
            saved = True
        except DomainError as error:
            form.add_error("preferred_channel", error.detail)
    return render(request, "resolutions/preferences.html", {"customer": customer, "form": form, "saved": saved},
                  status=422 if form.errors else 200)
