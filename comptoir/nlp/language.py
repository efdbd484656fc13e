"""French / English language identification for incoming tickets.

py3langid's model (langid.py's, BSD-3) restricted to fr and en: 99.7 % on tweets and 97.8 % on
their first four words. Intake runs this in every web process, where py3langid itself would cost
~90 MB (numpy and its 97-language tables): ``langid/fr-en.bin`` holds the same model for these two
languages only (built by ``bench/langid_fr_en.py``, which also checks that it answers as
py3langid does), read here in plain Python in a few megabytes. Below three words no statistical model is
reliable ("ok", "URGENT", "facture"), so a short text answers with the caller's fallback (the
customer's or channel's language) at low confidence, unless it holds a greeting or support word
that only one of the two languages uses, or langid is near-certain.
"""

from __future__ import annotations

import math
import re
import struct
import threading
import unicodedata
import zlib
from array import array
from collections import Counter
from pathlib import Path

LANGUAGES = ("fr", "en")
MIN_WORDS = 3
#: Confidence given to a fallback answer: below any real detection, so callers can tell.
FALLBACK_CONFIDENCE = 0.3
#: Confidence of a short text decided anyway (a courtesy word, or an unmistakable spelling).
SHORT_CONFIDENCE = 0.6

_WORD = re.compile(r"[^\W\d_]+")
# Language-neutral tokens: links and e-mail addresses.
_NOISE = re.compile(r"https?://\S+|www\.\S+|\S+@\S+\.\S+")
# Words of support messages that decide a very short text on their own (accents stripped).
_SHORT_WORDS = {
    "fr": {
        "bonjour", "bonsoir", "salut", "merci", "svp", "stp", "oui", "allo", "coucou", "aide",
        "urgence", "commande", "facture", "remboursement", "livraison", "annuler", "probleme",
        "compte", "mot", "passe", "je", "vous", "mon", "ma", "mes", "est", "pas", "toujours",
        "recu", "reçu", "voila", "cordialement", "rappel", "rappeler",
    },
    "en": {
        "hello", "hi", "hey", "thanks", "thank", "please", "yes", "help", "order", "invoice",
        "refund", "delivery", "cancel", "problem", "account", "password", "my", "the", "is",
        "not", "still", "received", "regards", "call",
    },
}  # fmt: skip

_lock = threading.Lock()
_model_file = Path(__file__).with_name("langid") / "fr-en.bin"


class CompactModel:
    """py3langid's naive Bayes for two languages: the automaton's states as the byte strings they
    stand for (the state after a byte is the longest known suffix of the text so far), the
    feature each one counts, and per feature the French-minus-English weight."""

    def __init__(self, path: Path) -> None:
        raw = path.read_bytes()
        if not raw.startswith(b"CPTLID1\n"):
            raise ValueError(f"{path} is not a Comptoir language model")
        body = zlib.decompress(raw[8:])
        self.prior, states, features = struct.unpack_from("<dII", body)
        offset = struct.calcsize("<dII")
        self.states: dict[bytes, int] = {}
        for _ in range(states):
            length, feature = struct.unpack_from("<Bi", body, offset)
            offset += 5
            self.states[body[offset : offset + length]] = feature
            offset += length
        self.weights = array("f")
        self.weights.frombytes(body[offset : offset + 4 * features])
        self.longest = max(map(len, self.states))

    def classify(self, text: str) -> tuple[str, float]:
        """("fr"|"en", probability), as ``LanguageIdentifier.classify`` with norm_probs."""
        if text.isupper():
            text = text.lower()
        data = unicodedata.normalize("NFC", text).encode("utf8", errors="surrogatepass")
        states, counts = self.states, Counter[int]()
        current = b""
        for i in range(len(data)):
            candidate = current + data[i : i + 1]
            while candidate and candidate not in states:
                candidate = candidate[1:]
            current = candidate
            feature = states.get(current, -1) if current else -1
            if feature >= 0:
                counts[feature] += 1
        if not counts:
            return "en", 0.5
        weights = self.weights
        score = sum(math.log1p(n) * weights[f] for f, n in counts.items()) + self.prior
        score /= math.sqrt(len(data) or 1)
        p_fr = 1.0 / (1.0 + math.exp(-score)) if score > -700 else 0.0
        return ("fr", p_fr) if p_fr >= 0.5 else ("en", 1.0 - p_fr)


_compact_model: CompactModel | None = None


def _compact() -> CompactModel:
    global _compact_model
    with _lock:
        if _compact_model is None:
            _compact_model = CompactModel(_model_file)
    return _compact_model


def _fold(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _short_text_language(words: list[str]) -> str | None:
    votes = {lang: sum(_fold(w) in vocab for w in words) for lang, vocab in _SHORT_WORDS.items()}
    if votes["fr"] > votes["en"]:
        return "fr"
    if votes["en"] > votes["fr"]:
        return "en"
    return None


def detect_language(text: str, *, fallback: str = "en") -> tuple[str, float]:
    """Return ("fr"|"en", confidence 0..1).

    Texts under three words, or with no letters, return ``fallback`` at
    ``FALLBACK_CONFIDENCE``, because a two-word message carries too little signal for n-gram
    statistics, unless a courtesy word or a near-certain langid answer decides it (then
    ``SHORT_CONFIDENCE``). Links and e-mail addresses are ignored.
    """
    if fallback not in LANGUAGES:
        raise ValueError(f"fallback must be one of {LANGUAGES}, not {fallback!r}")
    text = _NOISE.sub(" ", (text or "")[:4000])
    words = _WORD.findall(text)
    if not words:
        return fallback, 0.0
    if len(words) < MIN_WORDS:
        lang = _short_text_language(words)
        if lang is not None:
            return lang, SHORT_CONFIDENCE
        lang, prob = _compact().classify(text)
        if prob >= 0.95:  # e.g. "Ségolène Royal": accents and letter patterns decide it
            return lang, SHORT_CONFIDENCE
        return fallback, FALLBACK_CONFIDENCE
    # langid reads bytes: a few thousand characters decide as well as a whole email.
    lang, prob = _compact().classify(text)
    return lang, round(float(prob), 4)
