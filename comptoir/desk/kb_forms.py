"""The knowledge base's article form (issue 11)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from comptoir.knowledge.models import Article
from comptoir.knowledge.services import BODY_MAX, TITLE_MAX, ArticleData
from comptoir.tickets.selectors import category_list


class ArticleForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX)
    body = forms.CharField(
        label=_("Text (Markdown)"),
        required=False,
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 16}),
        help_text=_("Markdown: **bold**, *italics*, [link](https://…), lists with -, # headings."),
    )
    language = forms.ChoiceField(label=_("Language"), choices=Article.Language.choices)
    category = forms.ChoiceField(label=_("Category"), required=False)
    status = forms.ChoiceField(label=_("Status"), choices=Article.Status.choices)
    visibility = forms.ChoiceField(label=_("Visibility"), choices=Article.Visibility.choices)
    translation_of = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self._categories = {c.slug: c for c in category_list()}
        self.fields["category"].choices = [
            ("", "—"),
            *[(slug, str(c)) for slug, c in self._categories.items()],
        ]

    def data_for_service(self) -> ArticleData:
        d = self.cleaned_data
        return ArticleData(
            title=d["title"], body=d["body"], language=d["language"], status=d["status"],
            visibility=d["visibility"], category=self._categories.get(d["category"] or ""),
            translation_of=d.get("translation_of"),
        )  # fmt: skip


class ArticleFilterForm(forms.Form):
    q = forms.CharField(label=_("Search articles"), required=False, max_length=500)
    language = forms.ChoiceField(
        label=_("Language"), required=False, choices=[("", _("All")), *Article.Language.choices]
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *Article.Status.choices]
    )
    visibility = forms.ChoiceField(
        label=_("Visibility"), required=False, choices=[("", _("All")), *Article.Visibility.choices]
    )
