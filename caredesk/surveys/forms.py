"""The customer's survey forms (the pages a survey email links to)."""

from __future__ import annotations

from django import forms

from caredesk.surveys.models import BadRatingReason, Rating


class RatingForm(forms.Form):
    rating = forms.ChoiceField(label="How would you rate the support you received?", choices=[
        (Rating.GOOD, "Good, I'm satisfied"), (Rating.BAD, "Bad, I'm unsatisfied")], widget=forms.RadioSelect)
    reason = forms.ModelChoiceField(label="If bad: what went wrong?", required=False, empty_label="Choose a reason",
                                    queryset=BadRatingReason.objects.filter(active=True))
    comment = forms.CharField(label="Anything you would like to add? (optional)", required=False,
                              max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))


class NpsForm(forms.Form):
    score = forms.TypedChoiceField(
        label="How likely are you to recommend us to a friend or colleague? (0 = not at all, 10 = extremely)",
        choices=[(score, str(score)) for score in range(11)], coerce=int, widget=forms.RadioSelect)
    comment = forms.CharField(label="What is the main reason for your score? (optional)", required=False,
                              max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))
