"""The forms of a panel's discussion: a contribution (or a request for information, or its answer)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from cpms.lib.forms import FileCheck, StyledFormMixin

from ..models import Contribution

ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024
ATTACHMENT_CHECK = FileCheck(max_bytes=ATTACHMENT_MAX_BYTES, extensions=(".pdf", ".jpg", ".jpeg", ".png"))
MAX_FILES = 10
TEXT_MAX_LENGTH = Contribution._meta.get_field("text").max_length


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented recipe); each is checked by the validators."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ATTACHMENT_CHECK.accept}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        uploads = [upload for upload in (data if isinstance(data, list | tuple) else [data]) if upload]
        if len(uploads) > MAX_FILES:
            raise ValidationError(
                ngettext("Attach at most %(count)d file.", "Attach at most %(count)d files.", MAX_FILES)
                % {"count": MAX_FILES},
                code="too_many",
            )
        return [super(MultipleFileField, self).clean(upload, initial) for upload in uploads]


class ContributionForm(StyledFormMixin, forms.Form):
    """What a member or the requester writes; `people` are whom they may mention (users)."""

    text = forms.CharField(
        label=_("Your contribution"),
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Paragraphs, **bold**, *italic*, lists (- or 1.) and links [text](https://…). "
            "Write @username to mention a member. Never a name or number that identifies the patient."
        ),
    )
    files = MultipleFileField(
        label=_("Attachments"),
        required=False,
        validators=[ATTACHMENT_CHECK],
    )
    mention = forms.TypedMultipleChoiceField(
        label=_("Mention"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("They are told about it at once."),
    )

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["files"].help_text = _("PDF, JPEG or PNG files, at most %(count)d.") % {
            "count": MAX_FILES
        }
        self.fields["mention"].choices = [(person.pk, person.get_full_name()) for person in people]
        if not people:
            del self.fields["mention"]

    def mentioned_ids(self) -> list[int]:
        return list(self.cleaned_data.get("mention") or [])


class AnswerForm(ContributionForm):
    """The requester's answer to one request for more information (the page has one per open request)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].label = _("Your answer")
