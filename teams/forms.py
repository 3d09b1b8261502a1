"""Forms managers fill in: assignments (to the team or to one person in it) and digest opt-out."""

from __future__ import annotations

from typing import Any

from django import forms

from curricula.models import Curriculum
from teams.discussion import MAX_COMMENT_CHARS
from teams.models import Membership, Team
from teams.selectors import display_name


class DateInput(forms.DateInput):
    input_type = "date"


class AssignmentEditForm(forms.Form):
    start_date = forms.DateField(widget=DateInput)
    due_date = forms.DateField(widget=DateInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, due = data.get("start_date"), data.get("due_date")
        if start and due and due < start:
            self.add_error("due_date", "The due date must be on or after the start date.")
        return data


class AssignmentForm(AssignmentEditForm):
    curriculum = forms.ModelChoiceField(
        queryset=Curriculum.objects.order_by("title").only("title", "slug"),
        empty_label=None,
    )
    person = forms.TypedChoiceField(
        coerce=int,
        empty_value=None,
        required=False,
        help_text="Leave as “The whole team” to assign it to everyone in the team.",
    )
    field_order = ["curriculum", "person", "start_date", "due_date"]

    def __init__(self, *args: Any, team: Team, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = (
            Membership.objects.filter(team=team, role=Membership.Role.MEMBER)
            .select_related("user")
            .order_by("user__first_name", "user__username")
        )
        self.fields["person"].choices = [("", "The whole team")] + [
            (m.user_id, display_name(m.user.first_name, m.user.last_name, m.user.username))
            for m in people
        ]


class DigestForm(forms.Form):
    weekly_digest = forms.BooleanField(
        required=False, label="Email me a weekly digest: what is next and what is new"
    )


class CommentForm(forms.Form):
    body = forms.CharField(
        label="Comment",
        max_length=MAX_COMMENT_CHARS,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Markdown; @username tells a teammate.",
    )
    # A one-time key the page hands out with the form: the same key twice is one comment.
    key = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)


class DiscussionEmailsForm(forms.Form):
    discussion_emails = forms.BooleanField(
        required=False,
        label="Email me when a teammate mentions me or comments on a note I shared",
    )
