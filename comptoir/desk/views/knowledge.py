"""The knowledge base on the desk (issue 11): the list, an article, and the article form."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied as Forbidden
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from comptoir.common.exceptions import DomainError, NotFound, PermissionDenied
from comptoir.common.ids import parse_row_id
from comptoir.knowledge.markdown import render_markdown
from comptoir.knowledge.models import Article
from comptoir.knowledge.selectors import (
    article_get,
    article_list,
    article_may_write,
    article_missing_languages,
    article_revisions,
    article_translations,
    deflection_figures,
    deflection_may_read,
)
from comptoir.knowledge.services import article_create, article_update
from comptoir.search.articles import article_search

from ..kb_forms import ArticleFilterForm, ArticleForm
from .common import agent_required


def _article_or_404(request: HttpRequest, article_id: int) -> Article:
    try:
        return article_get(actor=request.user, article_id=article_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _writer_or_403(request: HttpRequest) -> None:
    if not article_may_write(actor=request.user):
        raise Forbidden(_("Only level-2 agents and supervisors may write articles."))


@agent_required
def kb_list(request: HttpRequest) -> HttpResponse:
    """``/desk/kb/``: every article the agent may read, filtered, or the matches of a search."""
    form = ArticleFilterForm(request.GET or None)
    f = form.cleaned_data if form.is_valid() else {}
    q = f.get("q", "")
    filters = {key: f.get(key, "") for key in ("language", "status", "visibility")}
    if q.strip():
        hits = [
            h for h in article_search(actor=request.user, q=q, limit=50)
            if all(not v or getattr(h.article, k) == v for k, v in filters.items())
        ]  # fmt: skip
        rows = [(h.article, h.title_html, h.snippet_html) for h in hits]
    else:
        rows = [(a, None, None) for a in article_list(actor=request.user, **filters)]
    context = {"form": form, "rows": rows, "q": q, "may_write": article_may_write(actor=request.user)}
    if deflection_may_read(actor=request.user):  # issue 11: the portal's self-service figure
        days = 7 if request.GET.get("days") == "7" else 30
        context["deflection"] = deflection_figures(days=days)
    return render(request, "desk/kb_list.html", context)


@agent_required
def kb_article(request: HttpRequest, article_id: int) -> HttpResponse:
    """An article as readers see it, its other-language versions and its revisions."""
    article = _article_or_404(request, article_id)
    may_write = article_may_write(actor=request.user)
    missing = article_missing_languages(article=article) if may_write else []
    context = {
        "article": article, "body_html": render_markdown(article.body), "may_write": may_write,
        "translations": article_translations(actor=request.user, article=article),
        "missing_languages": [(c, Article.Language(c).label) for c in missing],
        "revisions": article_revisions(article=article),
    }  # fmt: skip
    return render(request, "desk/kb_article.html", context)


def _save(request: HttpRequest, form: ArticleForm, save) -> Article | None:  # type: ignore[no-untyped-def]
    if not form.is_valid():
        return None
    try:
        return save(form.data_for_service())  # type: ignore[no-any-return]
    except PermissionDenied as exc:
        raise Forbidden(exc.message) from exc
    except DomainError as exc:
        shown = exc.field in form.fields and not form.fields[exc.field].widget.is_hidden
        form.add_error(exc.field if shown else None, exc.message)
        return None


@agent_required
def kb_new(request: HttpRequest) -> HttpResponse:
    """A new article; ``?translation_of=<id>&language=<code>``: a translation of that article."""
    _writer_or_403(request)
    original = None
    original_id = parse_row_id(request.POST.get("translation_of") or request.GET.get("translation_of") or "")
    if original_id is not None:
        original = _article_or_404(request, original_id)
    if request.method == "POST":
        form = ArticleForm(request.POST)
        article = _save(request, form, lambda data: article_create(actor=request.user, data=data))
        if article is not None:
            messages.success(request, _("Article saved."))
            return redirect("desk:kb_article", article_id=article.pk)
        status = 422
    else:
        initial = {"language": request.GET.get("language", "fr"), "status": "draft", "visibility": "internal"}
        if original is not None:
            initial.update(
                title=original.title, body=original.body, visibility=original.visibility,
                category=original.category.slug if original.category else "", translation_of=original.pk,
            )  # fmt: skip
        form, status = ArticleForm(initial=initial), 200
    return render(request, "desk/kb_form.html", {"form": form, "original": original}, status=status)


@agent_required
def kb_edit(request: HttpRequest, article_id: int) -> HttpResponse:
    _writer_or_403(request)
    article = _article_or_404(request, article_id)
    if request.method == "POST":
        form = ArticleForm(request.POST)
        saved = _save(
            request, form, lambda data: article_update(actor=request.user, article_id=article.pk, data=data)
        )
        if saved is not None:
            messages.success(request, _("Article saved."))
            return redirect("desk:kb_article", article_id=article.pk)
        status = 422
    else:
        form = ArticleForm(
            initial={
                "title": article.title, "body": article.body, "language": article.language,
                "status": article.status, "visibility": article.visibility,
                "category": article.category.slug if article.category else "",
                "translation_of": article.translation_of_id,
            }
        )  # fmt: skip
        status = 200
    context = {"form": form, "article": article, "original": article.translation_of}
    return render(request, "desk/kb_form.html", context, status=status)
