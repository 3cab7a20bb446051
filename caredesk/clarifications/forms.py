"""The Care Clarifications Form as the workspace shows it: SOP 000's two categories, and the team's
sub-categories grouped under them."""

from __future__ import annotations

from django import forms

from caredesk.clarifications.models import Category, SubCategory


class ClarificationForm(forms.Form):
    category = forms.ChoiceField(label="Category", choices=[("", "Choose a category"), *Category.choices])
    sub_category = forms.TypedChoiceField(label="Sub-category", coerce=int)
    details = forms.CharField(label="What needed clarifying", max_length=100_000,
                              widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        grouped: dict[str, list] = {}
        for entry in SubCategory.objects.filter(active=True):
            grouped.setdefault(entry.get_category_display(), []).append((entry.pk, entry.name))
        self.fields["sub_category"].choices = [("", "Choose a sub-category"), *grouped.items()]
