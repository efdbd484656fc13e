"""Highlighted snippets: the words that matched, in the text as written, HTML-escaped, in <mark>."""

from __future__ import annotations

import re
from functools import lru_cache

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .text import MAX_WORD, ParsedQuery, fold, stem, stem_language

_WORD = re.compile(r"[^\W_]+")


@lru_cache(maxsize=100_000)
def _stem_of(raw: str, lang: str) -> str:
    word = fold(raw)
    return stem(word, lang) if len(word) <= MAX_WORD and word.isalnum() else ""


def _spans(text: str, parsed: ParsedQuery, language: str) -> list[tuple[int, int]]:
    lang = stem_language(language)
    stems, prefixes = parsed.stems, parsed.prefixes
    out = []
    for m in _WORD.finditer(text):
        found = _stem_of(m.group(0), lang)
        if found and (found in stems or (prefixes and found.startswith(prefixes))):
            out.append(m.span())
    return out


class Marked:
    """A text with its whitespace collapsed and the places of its matched words, computed once."""

    __slots__ = ("spans", "text")

    def __init__(self, text: str, parsed: ParsedQuery, language: str) -> None:
        self.text = " ".join(text.split())
        self.spans = _spans(self.text, parsed, language)


def highlight(text: str | Marked, parsed: ParsedQuery, language: str, *, around: int = 0) -> SafeString:
    """``text`` escaped, matched words in ``<mark>``; with ``around``, only that many characters
    on each side of the first match (the start of the text when nothing matched)."""
    marked = text if isinstance(text, Marked) else Marked(text, parsed, language)
    text, spans = marked.text, marked.spans
    start, end = 0, len(text)
    if around:
        first = spans[0][0] if spans else 0
        start = max(0, first - around)
        if start:
            start = text.find(" ", start) + 1 or start
        end = min(len(text), (spans[0][1] if spans else 0) + around * 2)
        if end < len(text):
            cut = text.rfind(" ", start, end)
            end = cut if cut > start else end
    parts = ["…" if start else ""]
    pos = start
    for s, e in spans:
        if s < start or e > end:
            continue
        parts.append(escape(text[pos:s]))
        parts.append(f"<mark>{escape(text[s:e])}</mark>")
        pos = e
    parts.append(escape(text[pos:end]))
    if end < len(text):
        parts.append("…")
    return mark_safe("".join(parts))  # noqa: S308 - every piece of the text went through escape()
