"""Answer every question (issue 11): the customer's questions, and whether a draft addresses them.

Plain Python over the search app's normalisation (``text.normalise``: accents folded, French and
English Snowball stems), so a French question is matched by the words of a French or English
draft with the same endings rules as the search. Method, measured in ``bench/reply_check.py``:

1. The customer's text loses quoted history ("> " lines, "On ... wrote:", "Le ... a écrit :")
   and its signature, then is split into sentences (". ! ?" and line breaks).
2. A sentence is a question when it ends with "?" or opens (after a greeting) with an
   interrogative form: "Pouvez-vous", "est-ce que", "comment", "I would like to know", "could
   you", "when will"...
3. A question is addressed when enough of its content stems appear in the draft, or when the
   draft gives what the question asks for (a date for "when", an amount for "how much") and
   shares at least one of its words. Fast: a check is a few hundred microseconds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .text import STOPWORDS, fold, stem, words

# Quoted history starts at these lines; everything after them is dropped.
_QUOTE_HEADER = re.compile(
    r"^\s*(on\b.{0,200}\bwrote\s*:|le\b.{0,200}\ba\s+[ée]crit\s*:"
    r"|-{2,}\s*(original message|message d'origine)|from\s*:|de\s*:|envoy[ée] de mon|sent from my)",
    re.IGNORECASE,
)
# A signature starts at "-- " or at a closing formula alone on its line.
_SIGNATURE = re.compile(
    r"^\s*(--\s*$|cordialement\b|bien [àa] vous\b|salutations\b|bonne (journ[ée]e|soir[ée]e)\b"
    r"|merci d'avance\s*[.!,]?\s*$|best( regards)?\b|kind regards\b|regards\b|sincerely\b|cheers\b"
    r"|thanks( in advance)?\s*[.!,]?\s*$|thank you\s*[.!,]?\s*$)",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|\n+")
_GREETING = re.compile(
    r"^\s*(bonjour|bonsoir|salut|allo|allô|hello|hi|hey|dear\s+\w+|madame|monsieur|mesdames|messieurs)"
    r"[\s,!.:-]*",
    re.IGNORECASE,
)
# Interrogative forms without "?": matched on the folded sentence, at its start (after a greeting
# and a connective) or, for the longer phrases, anywhere.
_OPENER_RE = re.compile(
    r"^(?:(?:et|mais|alors|donc|aussi|also|and|but|so|also,|enfin|par ailleurs|sinon)\s+)?(?:"
    + "|".join(
        sorted(
            {
                re.escape(p)
                for p in (
                    "pouvez-vous", "pourriez-vous", "pouvez vous", "pourriez vous", "peux-tu", "pourrais-tu",
                    "est-ce que", "est-ce qu", "est ce que", "comment", "pourquoi", "quand", "combien",
                    "quel", "quelle", "quels", "quelles", "ou en est", "ou est", "ou sont", "a quel moment",
                    "a quelle", "y a-t-il", "serait-il possible", "serait il possible", "faut-il", "dois-je",
                    "puis-je", "can you", "could you", "would you", "will you", "how", "why", "when",
                    "where", "what", "which", "who", "is it", "is there", "are there", "do you", "does",
                    "did", "do i", "is my", "are my", "can i", "could i", "may i", "should i", "will my",
                    "will the", "will i", "is the", "are the", "has my", "have you",
                )
            },
            key=len,
            reverse=True,
        )
    )
    + r")\b",
)  # fmt: skip
_EMBEDDED_RE = re.compile(
    r"\b(je (voudrais|souhaiterais|souhaite|veux) (aussi |egalement |donc )?savoir"
    r"|j'aimerais (aussi |egalement )?savoir"
    r"|merci de me dire"
    r"|merci de m'indiquer|merci de me confirmer|pouvez-vous|pourriez-vous|pouvez vous|pourriez vous"
    r"|est-ce que|est ce que|i would (also )?like to know|i'd (also )?like to know|i (also )?want to know"
    r"|i wonder|i was wondering"
    r"|please let me know|please tell me|please confirm|please advise|let me know|could you|can you"
    r"|would you)\b",
)
_NOT_QUESTION = re.compile(r"^(merci|thanks|thank you|ok|d'accord)\b(?!\s+de\s+m)")

# Words that carry the question, not its content: dropped before the overlap is measured.
_QUESTION_WORDS = frozenset(
    (  # noqa: SIM905
        "pouvez pourriez pouvoir peux pourrais est-ce est ce comment pourquoi quand combien quel quelle "
        "quels quelles ou qui quoi savoir voudrais aimerais souhaiterais souhaite merci dire indiquer "
        "confirmer aider help faut dois puis possible serait bonjour svp plait can could would will how why "
        "when "
        "where what which who whom whose do does did is are was were there know like want wonder "
        "wondering please let tell confirm advise hello hi also still yet already just so then "
        "il y a-t-il t-il t-elle cela ca get got been being am not any some all one this that these "
        "those there here mon ma mes votre vos notre nos ils elles ont sont etre avoir fait faire "
        "deja encore toujours aussi bien tres plus moins si cette cet ces"
    ).split()
)
_STOP = STOPWORDS | _QUESTION_WORDS

# What a question asks for, and what in a draft gives it.
_ASKS_WHEN = re.compile(
    r"\b(quand|a quel moment|quelle date|quel jour|quel delai|combien de temps|d'ici quand|when|what date"
    r"|what time|how long|which day|by when)\b"
)
_ASKS_AMOUNT = re.compile(
    r"\b(combien|montant|quel prix|how much|what amount|cost|price|prix|tarif|frais|fee)\b"
)
_GIVES_WHEN = re.compile(
    r"\b(\d{1,2}[/.-]\d{1,2}|\d{1,2}\s*h\s*\d{0,2}|\d{1,2}(:\d{2})?\s*(am|pm)|\d+\s*(jours?|heures?|semaines?"
    r"|mois|minutes?|days?|hours?|weeks?|months?|business days?|jours ouvrables)|demain|aujourd'hui|ce soir"
    r"|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|janvier|fevrier|mars|avril|mai|juin|juillet"
    r"|aout|septembre|octobre|novembre|decembre|tomorrow|today|tonight|monday|tuesday|wednesday|thursday"
    r"|friday|saturday|sunday|january|february|march|april|june|july|august|september|october|november"
    r"|december|next week|la semaine prochaine|end of|fin du|fin de la|avant le|before the|by the)\b"
)
_GIVES_AMOUNT = re.compile(
    r"(\d+([.,]\d+)?\s*(\$|€|eur|euros?|dollars?|cad|usd)|[$€]\s*\d|\bgratuit|\bfree\b)"
)

MIN_WORDS = 3
GENERIC_ANSWER = 8  # content stems (both languages) of a draft that answers a bare "can you help?"
ADDRESSED = 0.5  # share of the question's content stems found in the draft
ADDRESSED_WITH_CUE = 0.2  # enough when the draft also gives the date or amount asked for


@dataclass(frozen=True)
class Question:
    text: str
    answered: bool


def strip_quoted(text: str) -> str:
    """The customer's own words: quoted lines, quoted history and signature removed."""
    kept: list[str] = []
    for line in text.splitlines():
        if _QUOTE_HEADER.match(line):
            break
        if _SIGNATURE.match(line) and kept:
            break
        if line.lstrip().startswith(">"):
            continue
        kept.append(line)
    return "\n".join(kept)


def sentences(text: str) -> list[str]:
    """Sentences of a message, greeting-only fragments dropped."""
    out = []
    for part in _SENTENCE_END.split(text):
        part = part.strip(" \t-•*")
        if part:
            out.append(part)
    return out


def is_question(sentence: str) -> bool:
    """A "?" at the end, or an interrogative form ("Pouvez-vous", "I would like to know")."""
    body = _GREETING.sub("", sentence).strip()
    folded = fold(body).replace("’", "'")
    if len(words(body)) < MIN_WORDS or _NOT_QUESTION.match(folded):
        return False
    if body.endswith("?") or "?" in body[-3:]:
        return True
    return bool(_OPENER_RE.match(folded) or _EMBEDDED_RE.search(folded))


def find_questions(text: str) -> list[str]:
    """The questions a customer's message asks, in order, without duplicates."""
    seen: set[str] = set()
    found = []
    for sentence in sentences(strip_quoted(text)):
        key = fold(sentence)
        if key not in seen and is_question(sentence):
            seen.add(key)
            found.append(_GREETING.sub("", sentence).strip() or sentence)
    return found


def _stems(text: str) -> set[str]:
    """Both languages' stems of the content words: the draft may answer in either language."""
    out: set[str] = set()
    for w in words(text):
        if w in _STOP or len(w) < 2:
            continue
        out.add(stem(w, "fr"))
        out.add(stem(w, "en"))
    return out


def _content(text: str) -> list[tuple[str, str]]:
    return [(stem(w, "fr"), stem(w, "en")) for w in words(text) if w not in _STOP and len(w) >= 2]


class Draft:
    """A draft reply prepared once and matched against each question."""

    def __init__(self, body: str) -> None:
        self.folded = fold(body)
        self.stems = _stems(body)
        self.gives_when = bool(_GIVES_WHEN.search(self.folded))
        self.gives_amount = bool(_GIVES_AMOUNT.search(self.folded))

    def addresses(self, question: str) -> bool:
        """Whether the draft appears to answer the question (see the module's method)."""
        content = _content(question)
        if not self.stems:
            return False
        if not content:  # "Pouvez-vous m'aider ?": any substantial reply addresses it
            return len(self.stems) >= GENERIC_ANSWER
        hits = sum(1 for fr, en in content if fr in self.stems or en in self.stems)
        share = hits / len(content)
        if share >= ADDRESSED:
            return True
        folded = fold(question)
        cue = (_ASKS_WHEN.search(folded) and self.gives_when) or (
            _ASKS_AMOUNT.search(folded) and self.gives_amount
        )
        return bool(cue) and hits > 0 and share >= ADDRESSED_WITH_CUE


def check(customer_texts: list[str], draft: str) -> list[Question]:
    """The questions of the customer's texts, each marked answered or not by the draft."""
    prepared = Draft(draft)
    out: list[Question] = []
    seen: set[str] = set()
    for text in customer_texts:
        for q in find_questions(text):
            key = fold(q)
            if key in seen:
                continue
            seen.add(key)
            out.append(Question(text=q, answered=prepared.addresses(q)))
    return out
