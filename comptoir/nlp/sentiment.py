"""Sentiment of customer messages (issue 12): negative, neutral or positive, French and English.

Three layers, all offline on the CPU:

1. A learned model, two logistic regressions combined as a weighted geometric mean of their
   probabilities (one linear model, like ``classifier.py``):
   - *hashed n-grams*: character (2-5, within words) and word (1-2) n-grams hashed into
     2 x 2^18 buckets, sublinear TF x idf. The model file keeps per-bucket numbers only, no
     vocabulary: the training texts (tweets, see ``sentiment/ATTRIBUTION.md``) cannot be read
     back from it;
   - *meaning and lexicons*: the USE-multilingual vectors Comptoir already loads for similar
     tickets (``embed.py``, the same in-process copy), plus lexicon valences: VADER's English
     engine and lexicon (``vaderSentiment``, MIT) and vaderSentiment-fr's French lexicon (MIT,
     vendored as ``sentiment/fr_lexicon.tsv``, scored here with a small negation rule; that
     package itself imports GPL code and is not used), and a few style features (emoticons,
     "!!!", capitals); a copy of these times a French indicator (scaled by ``language_weight``;
     the language is detected when the caller does not give it) lets the pooled FR+EN model
     learn where the two languages differ.
2. A support cue layer written for customer service rather than tweets: anger and distress words
   ("inacceptable", "ridiculous"), threats to leave, repeated contacts ("troisième fois"), and,
   as intensifiers of a complaint, capitals and exclamation runs. Cues raise the negative class;
   they are returned as ``Sentiment.cues`` so an alert can say why.
3. ``score()``: the shipped model (or ``$COMPTOIR_SENTIMENT_MODEL``), loaded once per process.

Model files are NumPy ``.npz`` archives of arrays and JSON with a SHA-256 checksum, read with
``allow_pickle=False`` (the helpers of ``classifier.py``): loading one can never execute code.
Scoring belongs in the worker: one message costs a few milliseconds (bench/results/sentiment.md).
"""

from __future__ import annotations

import io
import math
import os
import re
import threading
import time
import unicodedata
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from comptoir.nlp import embed
from comptoir.nlp.classifier import _digest, _json_bytes, _json_load, _numeric

FORMAT = "comptoir-sentiment"
VERSION = 2
LABELS = ("negative", "neutral", "positive")
HERE = Path(__file__).resolve().parent / "sentiment"
SHIPPED_PATH = HERE / "model.npz"
FR_LEXICON_PATH = HERE / "fr_lexicon.tsv"
MAX_CHARS = 2000
N_BUCKETS = 2**18
WORD_PATTERN = r"(?u)\b\w\w+\b"
#: Hyper-parameters chosen by 5-fold cross-validation on the tweets' train split (and checked,
#: not chosen, on the dev split: bench/sentiment.py --tune; bench/results/sentiment.md).
DEFAULTS: dict[str, float] = {
    "c_sparse": 3.0,
    "c_dense": 0.3,
    "lex_weight": 1.0,
    "dense_weight": 0.6,
    "language_weight": 0.5,
}

# -- text features -------------------------------------------------------------------------------

_URL = re.compile(r"https?://\S+|www\.\S+")
_MENTION = re.compile(r"@\w+")
_DIGITS = re.compile(r"\d")
_SMILEY = re.compile(r"[:;=]-?[)\]dp]|<3|\^\^|\bxd\b")
_FROWN = re.compile(r"[:;=]'?-?[(\[/\\|]")
_ELONGATED = re.compile(r"(.)\1{2,}")
_NEGATORS = re.compile(
    r"(?:not|no|never|nobody|nothing|cannot|cant|dont|doesnt|didnt|isnt|wasnt|arent|wont|wouldnt|"
    r"shouldnt|couldnt|havent|hasnt|pas|jamais|rien|aucun|aucune|personne|sans|ni|guere|n)"
)
_CLAUSE_END = frozenset(".,!?;:")
_NEGATION_SPAN = 3


def _fold(text: str) -> str:
    """Lower-case without accents: French typed with or without accents matches."""
    text = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in text if not unicodedata.combining(c))


def normalize(text: str) -> str:
    """Accent-free lower case; links, mentions and digits generalised, emoticons named ("sooo"
    kept as "soo", "#fail" also gives the word "fail")."""
    text = _MENTION.sub("@user", _URL.sub(" http ", (text or "")[:MAX_CHARS]))
    text = _DIGITS.sub("0", _fold(text))
    text = _FROWN.sub(" emofrown ", _SMILEY.sub(" emosmile ", text))
    return _ELONGATED.sub(r"\1\1", text).replace("#", " #")


def mark_negation(normalized: str) -> str:
    """Words after a negator, up to three and within the clause, get a ``neg_`` prefix for the
    word n-grams: "not good" and "good" then fall in different buckets."""
    out: list[str] = []
    span = 0
    for token in re.findall(r"[\w']+|[.,!?;:]", normalized):
        if token in _CLAUSE_END:
            span = 0
            continue
        out.append("neg_" + token if span else token)
        if _NEGATORS.fullmatch(token.replace("'", "")) or token.endswith("n't"):
            span = _NEGATION_SPAN
        elif span:
            span -= 1
    return " ".join(out)


def _hashers() -> tuple[Any, Any]:
    from sklearn.feature_extraction.text import HashingVectorizer

    common = {"n_features": N_BUCKETS, "alternate_sign": False, "norm": None, "lowercase": False}
    return (
        HashingVectorizer(analyzer="char_wb", ngram_range=(2, 5), dtype=np.float32, **common),
        HashingVectorizer(
            analyzer="word", ngram_range=(1, 2), token_pattern=WORD_PATTERN, dtype=np.float32, **common
        ),
    )


def _hashed_counts(normalized: Sequence[str]) -> sp.csr_matrix:
    chars, words = _hashers()
    marked = [mark_negation(t) for t in normalized]
    x = sp.hstack([chars.transform(normalized), words.transform(marked)], format="csr", dtype=np.float32)
    x.data = 1.0 + np.log(x.data)
    return x


def _tfidf(counts: sp.csr_matrix, idf: np.ndarray) -> sp.csr_matrix:
    """Sublinear TF x idf, rows L2-normalised (in place on the data array: no matrix products)."""
    x = counts.copy()
    x.data = (x.data * idf[x.indices]).astype(np.float32)
    lengths = np.diff(x.indptr)
    norms = np.sqrt(np.bincount(np.repeat(np.arange(x.shape[0]), lengths), x.data**2, minlength=x.shape[0]))
    norms[norms == 0] = 1.0
    x.data /= np.repeat(norms, lengths).astype(np.float32)
    return x


_lex_lock = threading.Lock()
_vader: Any = None
_fr_lexicon: dict[str, float] | None = None
_FR_NEGATORS = frozenset({"pas", "jamais", "plus", "rien", "aucun", "aucune", "sans", "ni", "non", "guere"})
_TOKEN = re.compile(r"[a-z]+(?:-[a-z]+)*")
LEXICON_FEATURES = 7


def _lexicons() -> tuple[Any, dict[str, float]]:
    global _vader, _fr_lexicon
    with _lex_lock:
        if _fr_lexicon is None:
            from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer  # type: ignore[import-untyped]

            lexicon: dict[str, float] = {}
            for line in FR_LEXICON_PATH.read_text(encoding="utf-8").splitlines():
                if line and not line.startswith("#"):
                    word, value = line.rsplit("\t", 1)
                    lexicon[word] = float(value)
            _vader, _fr_lexicon = SentimentIntensityAnalyzer(), lexicon
    return _vader, _fr_lexicon


def _fr_valence(folded: str, lexicon: dict[str, float]) -> tuple[float, float, float]:
    """Sum of French valences, a word's sign flipped by a negator up to three words before it
    ("pas du tout content"), as VADER's compound, positive and negative shares."""
    tokens = _TOKEN.findall(folded.replace("'", " ").replace("\u2019", " "))
    pos = neg = 0.0
    for i, token in enumerate(tokens):
        value = lexicon.get(token)
        if value is None:
            continue
        if any(t in _FR_NEGATORS for t in tokens[max(0, i - 3) : i]):
            value *= -0.74
        if value > 0:
            pos += value
        else:
            neg -= value
    total = pos - neg
    compound = total / math.sqrt(total * total + 15.0)
    mass = pos + neg + len(tokens) or 1.0
    return compound, pos / mass, neg / mass


def lexicon_features(texts: Sequence[str]) -> np.ndarray:
    """(n, 7): VADER compound, pos, neg, neu (English engine) and the French compound, pos, neg."""
    vader, fr = _lexicons()
    out = np.zeros((len(texts), LEXICON_FEATURES), dtype=np.float32)
    for i, text in enumerate(texts):
        text = (text or "")[:MAX_CHARS]
        s = vader.polarity_scores(text)
        out[i, :4] = (s["compound"], s["pos"], s["neg"], s["neu"])
        out[i, 4:] = _fr_valence(_fold(text), fr)
    return out


STYLE_FEATURES = 6
_HAPPY = re.compile(
    r"[:;=8]-?[)\]DPp]|<3|\^\^|[\U0001F600-\U0001F60D\U0001F642\U0001F44D\U0001F44F\u2764\u2665]"
)
_SAD = re.compile(
    r"[:;=]'?-?[(\[/\\|]|[\U0001F612-\U0001F62D\U0001F44E\U0001F494\U0001F641\U0001F620\U0001F621]"
)


def style_features(texts: Sequence[str]) -> np.ndarray:
    """(n, 6): "!" and "?" runs, happy and sad emoticons/emoji, share of capitals, a link."""
    out = np.zeros((len(texts), STYLE_FEATURES), dtype=np.float32)
    for i, text in enumerate(texts):
        text = (text or "")[:MAX_CHARS]
        letters = sum(c.isalpha() for c in text) or 1
        out[i] = (
            min(text.count("!"), 3) / 3,
            min(text.count("?"), 3) / 3,
            min(len(_HAPPY.findall(text)), 2) / 2,
            min(len(_SAD.findall(text)), 2) / 2,
            sum(c.isupper() for c in text) / letters,
            "http" in text,
        )
    return out


def french_share(texts: Sequence[str], languages: Sequence[str] | None = None) -> np.ndarray:
    """1.0 for French, 0.0 for English, 0.5 for anything else; detected when not given."""
    if languages is None:
        from comptoir.nlp.language import detect_language

        languages = [detect_language(t or "")[0] for t in texts]
    return np.asarray(
        [1.0 if lang == "fr" else 0.0 if lang == "en" else 0.5 for lang in languages], np.float32
    )


#: Width of the dense features: embedding, lexicons and style, then the embedding and lexicons
#: again times the French indicator, and the indicator itself (one language-specific offset).
DENSE_DIM = 2 * (embed.DIM + LEXICON_FEATURES) + STYLE_FEATURES + 1


def dense_features(
    emb: np.ndarray, lexicon: np.ndarray, style: np.ndarray, french: np.ndarray, lex_weight: float
) -> np.ndarray:
    """Sentence vectors, lexicon valences and style, plus their French-only copies: one pooled
    model learns what the two languages share and where they differ (the USE vectors are
    cross-lingual, the tweets' topics and lexicons are not)."""
    shared = np.hstack([emb, lexicon * lex_weight])
    f = french.reshape(-1, 1)
    return np.hstack([shared, style, shared * f, f]).astype(np.float32)


def _dense(
    texts: Sequence[str],
    lex_weight: float,
    languages: Sequence[str] | None = None,
    language_weight: float = 0.0,
) -> np.ndarray:
    if language_weight:
        french = french_share(texts, languages) * language_weight
    else:  # the language-specific columns stay zero: no detection needed
        french = np.zeros(len(texts), dtype=np.float32)
    return dense_features(
        embed.encode(texts),
        lexicon_features(texts),
        style_features(texts),
        french,
        lex_weight,
    )


# -- support cues ------------------------------------------------------------------------------


def _rx(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns))


_W = r"(?:\w+[ ,]+){0,3}"  # up to three words in between
#: (cue, pattern on the accent-free lower-case text, weight added to the negative logit)
_CUES: tuple[tuple[str, re.Pattern[str], float], ...] = (
    (
        "churn threat",
        # A threat, not a request: closing an account when moving out, or "I am leaving my home",
        # is a service request (the demo's move-outs were all flagged by the first version).
        _rx(
            r"\b(?:will|'ll|going to|gonna|about to|threaten\w* to|otherwise i|or i|or else i|ready to)"
            r" (?:\w+ )?(?:cancel|terminate|end|close|leave|switch|quit)\b",
            r"\b(?:take|taking) (?:my|our) (?:business|custom|money) elsewhere",
            r"\bswitch\w* (?:to (?:a |another )?(?:competitor|provider|supplier|operator|bank)"
            r"|provider|supplier)",
            r"\b(?:go|going|move|moving) to (?:a |your )?(?:competitor|another "
            r"(?:provider|supplier|company|bank))",
            r"\bleaving you\b|\bi(?:'m| am) done with (?:you|your)\b",
            r"\b(?:je vais|j'irai|sinon je|ou je|menace de|pret a|prete a) (?:\w+ )?"
            r"(?:resili|partir|quitter|changer|aller voir)\w*",
            r"\b(?:changer|change) (?:d'|de )(?:operateur|fournisseur|banque|prestataire)",
            r"\b(?:aller|partir|passer) (?:voir )?(?:chez |a )?(?:la |un )?concurren\w*",
            r"\bje vous quitte\b|\bvais vous quitter\b",
        ),
        2.0,
    ),
    (
        "repeat contact",
        _rx(
            r"\b(?:second|third|fourth|fifth|sixth|umpteenth|nth|\d+(?:nd|rd|th)) time\b",
            r"\b(?:called|phoned|rang|written|wrote|emailed|e-mailed|contacted|asked|chased|messaged)"
            rf" (?:you |your \w+ )?{_W}(?:\w+ )?(?:several|many|multiple|numerous|countless|two|three|four|"
            r"five|\d+) times",
            r"\bstill (?:no|not|nothing|waiting|haven'?t|hasn'?t|doesn'?t|isn'?t)\b",
            r"\bagain and again\b|\bfor weeks\b|\bkeep (?:calling|asking|chasing)\b",
            r"\balready (?:called|phoned|written|wrote|emailed|contacted|reported|told|explained|sent)\b",
            r"\b(?:deuxieme|troisieme|quatrieme|cinquieme|enieme|nieme|\d+ ?(?:e|eme)) (?:fois|relance)\b",
            r"\b(?:appele|ecrit|relance|contacte|telephone|envoye|signale|reclame)\w* "
            rf"{_W}(?:plusieurs|maintes|trois|quatre|cinq|dix|\d+) (?:fois|reprises)",
            r"\btoujours (?:pas|rien|aucun\w*|sans)\b",
            r"\bje (?:vous )?relance\b|\bsans (?:aucune )?(?:reponse|nouvelles?|retour)\b",
            r"\bdeja (?:appele|ecrit|signale|envoye|contacte|explique|relance)\b",
            r"\bencore une fois\b|\bdepuis des (?:semaines|mois)\b",
        ),
        1.2,
    ),
)
#: Anger words: each found adds its weight (the two strongest count), and names itself as a cue.
_ANGER: tuple[tuple[str, re.Pattern[str], float], ...] = tuple(
    (cue, re.compile(pattern), weight)
    for cue, pattern, weight in (
        ("unacceptable", r"\bunacceptable\b", 1.6),
        ("ridiculous", r"\bridiculous\b", 1.4),
        ("disgraceful", r"\bdisgrace(?:ful)?\b|\bshameful\b|\bappalling\b|\boutrageous\b", 1.4),
        ("useless", r"\buseless\b|\bincompetent\b|\bpathetic\b", 1.3),
        ("scam", r"\bscam\b|\brip-?off\b|\bfraud\b", 1.3),
        ("fed up", r"\bfed up\b|\bsick (?:and tired )?of\b|\bhad enough\b", 1.4),
        ("rude", r"\brude\b|\bhung up on me\b", 1.0),
        ("worst", r"\bworst\b|\bterrible\b|\bawful\b|\bhorrible\b|\bjoke\b", 1.0),
        ("furious", r"\bfurious\b|\bangry\b|\blivid\b|\bdisgusted\b", 1.3),
        ("legal action", r"\blawyer\b|\blegal action\b|\bombudsman\b|\bsmall claims\b", 1.2),
        ("inacceptable", r"\binacceptable\b", 1.6),
        ("inadmissible", r"\binadmissible\b|\bintolerable\b|\binsupportable\b", 1.6),
        ("scandaleux", r"\bscandal\w*|\bhonte\w*|\bhonteu\w*", 1.4),
        ("ridicule", r"\bridicule\b|\bn'importe quoi\b|\bgrotesque\b", 1.3),
        ("lamentable", r"\blamentable\b|\bdeplorable\b|\bpitoyable\b|\bcatastroph\w*|\bminable\b", 1.3),
        ("incompetent", r"\bincompeten\w*|\bnul(?:le|s)?\b|\bamateur\w*", 1.2),
        ("arnaque", r"\barnaqu\w*|\bescroc\w*|\bvol(?:eurs?)?\b", 1.3),
        ("ras-le-bol", r"\bras[- ]le[- ]bol\b|\bmarre\b|\bj'en ai assez\b|\bexaspere\w*|\bexcede\w*", 1.4),
        ("furieux", r"\bfurieu\w*|\benerve\w*|\bdegoute\w*|\bhors de moi\b|\bcolere\b", 1.3),
        ("impoli", r"\bimpoli\w*|\bmeprisant\w*|\bagressi\w*|\braccroche au nez\b|\bodieu\w*", 1.0),
        ("mise en demeure", r"\bmise en demeure\b|\bavocat\b|\bmediateur\b|\bufc\b|\bplainte\b", 1.2),
    )
)
_CAPS_WORD = re.compile(r"\b[A-ZÀ-Ý]{3,}\b")
_EXCLAIM = re.compile(r"!\s*!|[!?]\s*[!?]\s*[!?]")
INTENSIFIERS = {"caps": 0.8, "exclamations": 0.6}
MAX_CUE_BONUS = 4.0


def support_cues(text: str) -> tuple[tuple[str, ...], float, float]:
    """Cues found in one message: (names, weight of the complaint cues, weight of intensifiers).

    Intensifiers (capitals, "!!!") count only where the message already leans negative: "MERCI
    BEAUCOUP !!!" is not a complaint."""
    text = (text or "")[:MAX_CHARS]
    folded = _fold(text).replace("\u2019", "'")
    names: list[str] = []
    weight = 0.0
    anger = []
    for cue, pattern, w in _ANGER:
        if pattern.search(folded):
            names.append(cue)
            anger.append(w)
    weight += sum(sorted(anger, reverse=True)[:2])
    for cue, pattern, w in _CUES:
        if pattern.search(folded):
            names.append(cue)
            weight += w
    boost = 0.0
    caps = _CAPS_WORD.findall(text)
    letters = sum(c.isalpha() for c in text)
    upper = sum(c.isupper() for c in text)
    if len(caps) >= 2 or (letters >= 12 and upper / letters > 0.6):
        names.append("caps")
        boost += INTENSIFIERS["caps"]
    if _EXCLAIM.search(text):
        names.append("exclamations")
        boost += INTENSIFIERS["exclamations"]
    return tuple(names), weight, boost


# -- the model ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sentiment:
    label: str  # "negative" | "neutral" | "positive"
    score: float  # -1.0 (most negative) .. 1.0 (most positive): p(positive) - p(negative)
    negative: float  # probability of the negative class, 0..1
    cues: tuple[str, ...]  # support cues found, for the alert's "why"


class Model:
    def __init__(
        self,
        idf: np.ndarray,
        coef_sparse: np.ndarray,
        coef_dense: np.ndarray,
        intercept: np.ndarray,
        config: dict[str, Any],
    ) -> None:
        self.labels = list(LABELS)
        self.idf = np.asarray(idf, dtype=np.float32)
        self.coef_sparse = np.asfortranarray(coef_sparse, dtype=np.float32)
        self.coef_dense = np.asfortranarray(coef_dense, dtype=np.float32)
        self.intercept = np.asarray(intercept, dtype=np.float32)
        self.config = dict(config)

    def logits(self, texts: Sequence[str], languages: Sequence[str] | None = None) -> np.ndarray:
        """Scores of the learned model (no cues), shape (n, 3), in ``LABELS`` order."""
        texts = [t if isinstance(t, str) else "" for t in texts]
        x = _tfidf(_hashed_counts([normalize(t) for t in texts]), self.idf)
        out = np.tile(self.intercept, (len(texts), 1))
        out += np.asarray(x @ self.coef_sparse.T)
        lex, lang = float(self.config["lex_weight"]), float(self.config.get("language_weight", 0.0))
        out += _dense(texts, lex, languages, lang) @ self.coef_dense.T
        return out

    def predict(
        self, texts: Sequence[str], languages: Sequence[str] | None = None, *, cues: bool = True
    ) -> list[Sentiment]:
        """One ``Sentiment`` per text. ``languages`` ("fr", "en") is detected when not given; it
        selects the French-specific weights of the dense model, while both lexicons and both
        languages' cues are read in every text (mixed messages are common).
        ``cues=False`` gives the learned model alone (for measuring it on tweets)."""
        if languages is not None and len(languages) != len(texts):
            raise ValueError(f"{len(texts)} texts but {len(languages)} languages")
        if not len(texts):
            return []
        z = self.logits(texts, languages)
        found: list[tuple[str, ...]] = [()] * len(texts)
        if cues:
            for i, text in enumerate(texts):
                names, weight, boost = support_cues(text if isinstance(text, str) else "")
                found[i] = names
                if boost and (weight or z[i, 0] >= z[i, 2]):
                    weight += boost
                z[i, 0] += min(weight, MAX_CUE_BONUS)
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        return [
            Sentiment(
                label=LABELS[int(row.argmax())],
                score=round(float(row[2] - row[0]), 4),
                negative=round(float(row[0]), 4),
                cues=found[i],
            )
            for i, row in enumerate(p)
        ]

    # -- persistence -----------------------------------------------------------------------

    def save(self, path: str | Path) -> None:
        """One ``.npz`` file: the non-zero buckets only (indices + values), JSON meta, checksum."""
        path = Path(path)
        used = np.flatnonzero(np.abs(self.coef_sparse).sum(axis=0) > 0).astype(np.int32)
        arrays = {
            "meta": _json_bytes(
                {"format": FORMAT, "version": VERSION, "labels": self.labels, "config": self.config}
            ),
            "buckets": used,
            "idf": self.idf[used],
            "coef_sparse": np.ascontiguousarray(self.coef_sparse[:, used]),
            "coef_dense": np.ascontiguousarray(self.coef_dense),
            "intercept": self.intercept,
        }
        arrays["digest"] = np.frombuffer(_digest(arrays).encode(), dtype=np.uint8)
        buf = io.BytesIO()
        np.savez_compressed(buf, **arrays)  # type: ignore[arg-type]
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_bytes(buf.getvalue())
        os.replace(tmp, path)


def load(path: str | Path) -> Model:
    """Read a file written by ``Model.save``; anything else raises ``ValueError``."""
    path = Path(path)
    raw = path.read_bytes()
    if not raw.startswith(b"PK\x03\x04"):
        raise ValueError(f"{path} is not a Comptoir sentiment model (not an .npz archive)")
    try:
        with np.load(io.BytesIO(raw), allow_pickle=False) as z:
            arrays = {k: z[k] for k in z.files}
    except (ValueError, OSError, zipfile.BadZipFile, EOFError) as exc:
        raise ValueError(f"{path} is not a readable Comptoir sentiment model: {exc}") from exc
    try:
        digest = arrays.pop("digest", None)
        if digest is None or digest.dtype != np.uint8 or bytes(digest).decode("ascii") != _digest(arrays):
            raise ValueError("checksum missing or wrong: the file was corrupted or modified")
        meta = _json_load(arrays["meta"])
        if meta.get("format") != FORMAT:
            raise ValueError(f"format is {meta.get('format')!r}, expected {FORMAT!r}")
        if not isinstance(meta.get("version"), int) or meta["version"] > VERSION:
            raise ValueError(f"model version {meta.get('version')!r} is newer than this code ({VERSION})")
        if meta["version"] < VERSION:
            raise ValueError(
                f"model version {meta['version']} is older than this code ({VERSION}): train it again"
            )
        if meta.get("labels") != list(LABELS):
            raise ValueError(f"labels must be {list(LABELS)}")
        buckets = arrays["buckets"]
        if (
            buckets.dtype.kind != "i"
            or buckets.ndim != 1
            or (len(buckets) and buckets.max() >= 2 * N_BUCKETS)
        ):
            raise ValueError("bad bucket indices")
        m = len(buckets)
        idf = np.zeros(2 * N_BUCKETS, dtype=np.float32)
        idf[buckets] = _numeric(arrays["idf"], (m,), "idf")
        coef_sparse = np.zeros((3, 2 * N_BUCKETS), dtype=np.float32)
        coef_sparse[:, buckets] = _numeric(arrays["coef_sparse"], (3, m), "coef_sparse")
        coef_dense = _numeric(arrays["coef_dense"], (3, DENSE_DIM), "coef_dense")
        intercept = _numeric(arrays["intercept"], (3,), "intercept")
        config = meta.get("config") or {}
        float(config["lex_weight"])
    except (KeyError, TypeError, ValueError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path} is not a valid Comptoir sentiment model: {exc}") from exc
    return Model(idf, coef_sparse, coef_dense, intercept, config)


def _logreg(c: float) -> Any:
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=c, max_iter=3000, tol=1e-4)


def _as_three(model: Any) -> tuple[np.ndarray, np.ndarray]:
    """Coefficients in ``LABELS`` order; a class absent from training gets a very low bias."""
    coef = np.zeros((3, model.coef_.shape[1]))
    bias = np.full(3, -20.0)
    classes = list(model.classes_)
    if len(classes) == 2:  # binary: softmax([0, z]) is the logistic sigmoid(z)
        rows, biases = (
            np.vstack([-model.coef_ / 2, model.coef_ / 2]),
            [-model.intercept_[0] / 2, model.intercept_[0] / 2],
        )
    else:
        rows, biases = model.coef_, model.intercept_
    for k, label in enumerate(classes):
        coef[LABELS.index(label)] = rows[k]
        bias[LABELS.index(label)] = biases[k]
    return coef, bias


def train(
    texts: Sequence[str],
    labels: Sequence[str],
    languages: Sequence[str] | None = None,
    **params: float,
) -> Model:
    """Learn the model from labelled texts (labels among ``LABELS``). ``params`` override
    ``DEFAULTS``: ``c_sparse``, ``c_dense`` (inverse regularisation of each regression),
    ``lex_weight`` (scale of the lexicon features), ``dense_weight`` (share of the
    embeddings+lexicon regression in the combination). ``languages`` ("fr", "en" per text) is
    detected when not given."""
    unknown = set(params) - set(DEFAULTS)
    if unknown:
        raise ValueError(f"unknown parameters: {sorted(unknown)}")
    if len(texts) != len(labels):
        raise ValueError(f"{len(texts)} texts but {len(labels)} labels")
    y = np.asarray([str(label).strip().lower() for label in labels])
    bad = sorted(set(y) - set(LABELS))
    if bad:
        raise ValueError(f"unknown labels {bad}: use {', '.join(LABELS)}")
    if len(set(y)) < 2:
        raise ValueError("training needs at least two different labels")
    cfg = {**DEFAULTS, **{k: float(v) for k, v in params.items()}}
    started = time.perf_counter()
    texts = [t if isinstance(t, str) else "" for t in texts]
    counts = _hashed_counts([normalize(t) for t in texts])
    df = np.bincount(counts.indices, minlength=2 * N_BUCKETS).astype(np.float64)
    idf = np.where(df > 0, np.log((1 + len(texts)) / (1 + df)) + 1.0, 0.0).astype(np.float32)
    sparse_model = _logreg(cfg["c_sparse"]).fit(_tfidf(counts, idf), y)
    if languages is not None and len(languages) != len(texts):
        raise ValueError(f"{len(texts)} texts but {len(languages)} languages")
    dense = _dense(texts, cfg["lex_weight"], languages, cfg["language_weight"])
    dense_model = _logreg(cfg["c_dense"]).fit(dense, y)
    w = cfg["dense_weight"]
    coef_s, bias_s = _as_three(sparse_model)
    coef_d, bias_d = _as_three(dense_model)
    config: dict[str, Any] = {
        **cfg,
        "n_train": len(texts),
        "label_counts": {label: int((y == label).sum()) for label in LABELS},
        "train_seconds": round(time.perf_counter() - started, 2),
    }
    return Model(idf, (1 - w) * coef_s, w * coef_d, (1 - w) * bias_s + w * bias_d, config)


# -- the model Comptoir uses -------------------------------------------------------------------

_lock = threading.Lock()
_model: Model | None = None


def model_path() -> Path:
    """``$COMPTOIR_SENTIMENT_MODEL`` (a model trained with ``comptoir sentiment train``), else the
    shipped model."""
    return Path(os.environ.get("COMPTOIR_SENTIMENT_MODEL") or SHIPPED_PATH)


def current() -> Model:
    """The model in use, loaded once per process (thread-safe)."""
    global _model
    with _lock:
        if _model is None:
            _model = load(model_path())
            _lexicons()
        return _model


def reload() -> None:
    """Forget the loaded model: the next call loads it again (after ``sentiment train``)."""
    global _model
    with _lock:
        _model = None


def score(texts: Sequence[str], languages: Sequence[str] | None = None) -> list[Sentiment]:
    """Sentiment of each text with the model in use and the support cues."""
    return current().predict(texts, languages)
