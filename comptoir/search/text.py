"""Search text: one normalisation for documents and queries, on every database.

Plain Python (no Django): lowercase, accents folded, each word reduced by a Snowball stemmer
(French for French documents, English otherwise). Documents are stored normalised; a query word
is normalised both ways and either form may match, since the query's language is unknown.
Because the same function feeds SQLite FTS5 and PostgreSQL (a ``simple`` tsvector of this text),
both backends find exactly the same tickets.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

import snowballstemmer  # type: ignore[import-untyped]

_WORD = re.compile(r"[^\W_]+")
_FOLD = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss", "’": "'"})
MAX_WORD = 60
MIN_PREFIX = 3
_STEMMERS = {"fr": snowballstemmer.stemmer("french"), "en": snowballstemmer.stemmer("english")}

# Dropped from queries (never from documents) when the query has other words.
_STOPWORDS = (
    "a an and are as at be by for from has have i in is it me my of on or our the this to was we "
    "with you your au aux avec c ce ces d dans de des du elle en est et il j je l la le les leur "
    "ma mais me mes mon n ne nous on ou par pas pour qu que qui s sa se ses son sur t ta te un une "
    "vos votre vous y"
)
STOPWORDS = frozenset(_STOPWORDS.split())


_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def fold(text: str) -> str:
    """Lowercase without accents: "Électricité" → "electricite"."""
    if text.isascii():
        return text.lower()
    return _COMBINING.sub("", unicodedata.normalize("NFKD", text.translate(_FOLD))).lower()


def words(text: str) -> list[str]:
    """The folded words of a text, as documents are indexed."""
    return [w for w in _WORD.findall(fold(text)) if len(w) <= MAX_WORD]


def stem_language(language: str | None) -> str:
    return "fr" if (language or "").lower().startswith("fr") else "en"


@lru_cache(maxsize=200_000)
def stem(word: str, language: str) -> str:
    """One folded word reduced by the language's stemmer (numbers and short words kept)."""
    if len(word) <= 2 or word.isdigit():
        return word
    return fold(_STEMMERS[language].stemWord(word))


def normalise(text: str, language: str) -> str:
    """The indexed form of a text: its stems, space-separated, in order (phrases still match)."""
    lang = stem_language(language)
    return " ".join(stem(w, lang) for w in words(text))


def digits_only(value: str) -> str:
    """A phone or account number as one token ("+1 514-555-0199" → "15145550199")."""
    return "".join(c for c in value if c.isdigit())


# --- Queries -------------------------------------------------------------------------------

FILTER_KEYS = {
    "status": "status",
    "statut": "status",
    "team": "team",
    "equipe": "team",
    "from": "from",
    "de": "from",
    "priority": "priority",
    "priorite": "priority",
}
_TOKEN = re.compile(
    r'(?P<key>[^\W\d_]+):(?:"(?P<qval>[^"]*)"|(?P<val>\S+))|"(?P<phrase>[^"]*)"?|(?P<word>\S+)'
)


@dataclass(frozen=True)
class Term:
    """One query word (``alternatives``: its French and English stems) or, with several
    ``parts``, words that must follow each other (a quoted phrase, a reference, an email)."""

    parts: tuple[frozenset[str], ...]
    prefix: bool = False


@dataclass
class ParsedQuery:
    terms: list[Term] = field(default_factory=list)
    filters: dict[str, list[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._stems: frozenset[str] | None = None

    @property
    def stems(self) -> frozenset[str]:
        if self._stems is None:
            self._stems = frozenset(s for t in self.terms for part in t.parts for s in part)
        return self._stems

    @property
    def prefixes(self) -> tuple[str, ...]:
        return tuple(s for t in self.terms if t.prefix for s in t.parts[-1])


def query_alternatives(word: str) -> frozenset[str]:
    return frozenset({stem(word, "fr"), stem(word, "en")})


def parse_query(q: str) -> ParsedQuery:
    """``status:open team:billing facture "mot exact" fact*`` → words, phrases and filters."""
    parsed = ParsedQuery()
    candidates: list[tuple[list[str], bool]] = []
    for m in _TOKEN.finditer(q or ""):
        key = fold(m.group("key") or "")
        if key in FILTER_KEYS:
            value = (m.group("qval") if m.group("qval") is not None else m.group("val")).strip()
            if value:
                parsed.filters.setdefault(FILTER_KEYS[key], []).append(value)
            continue
        raw = (
            m.group(0)
            if m.group("key")
            else (m.group("phrase") if m.group("phrase") is not None else m.group("word"))
        )
        found = words(raw)
        if found:
            # A prefix of one or two letters would read most of the index: taken as a word.
            prefix = raw.endswith("*") and m.group("phrase") is None and len(found[-1]) >= MIN_PREFIX
            candidates.append((found, prefix))
    meaningful = [c for c in candidates if len(c[0]) > 1 or c[0][0] not in STOPWORDS]
    for found, prefix in meaningful or candidates:
        if prefix:
            last = found[-1]
            parts = tuple(query_alternatives(w) for w in found[:-1]) + (frozenset({last}),)
        else:
            parts = tuple(query_alternatives(w) for w in found)
        parsed.terms.append(Term(parts=parts, prefix=prefix))
    return parsed


def _phrases(term: Term, limit: int = 16) -> list[list[str]]:
    """Every combination of the parts' alternatives (capped: a phrase of ambiguous words)."""
    combos: list[list[str]] = [[]]
    for part in term.parts:
        combos = [c + [alt] for c in combos for alt in sorted(part)][:limit]
    return combos


def fts5_expression(parsed: ParsedQuery, columns: tuple[str, ...] | None = None) -> str:
    """The FTS5 MATCH expression: terms ANDed, each term's alternatives ORed."""
    groups = []
    for term in parsed.terms:
        options = []
        for combo in _phrases(term):
            phrase = '"' + " ".join(combo) + '"'
            options.append(phrase + ("*" if term.prefix else ""))
        groups.append("(" + " OR ".join(options) + ")")
    expr = " AND ".join(groups)
    if columns:
        expr = "{" + " ".join(columns) + "} : (" + expr + ")"
    return expr


def tsquery_expression(parsed: ParsedQuery, weights: str = "") -> str:
    """The PostgreSQL ``to_tsquery('simple', ...)`` text: same logic as ``fts5_expression``."""
    groups = []
    for term in parsed.terms:
        options = []
        for combo in _phrases(term):
            lexemes = [f"'{w}'" for w in combo]
            if term.prefix:
                lexemes[-1] += ":*" + weights
            elif weights:
                lexemes[-1] += ":" + weights
            if weights:
                lexemes[:-1] = [f"{lx}:{weights}" for lx in lexemes[:-1]]
            options.append("(" + " <-> ".join(lexemes) + ")")
        groups.append("(" + " | ".join(options) + ")")
    return " & ".join(groups)
