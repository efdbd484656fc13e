"""The reference the triage benchmark measures our classifier against (``bench/triage.py``).

TF-IDF + logistic regression, tuned by grid search (C x word / char / both n-grams) with
stratified cross-validation on the training data only. It lives here, not in ``comptoir.nlp``:
nothing in the application uses it, only the benchmark and its test.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

MAX_FOLDS = 3
DEFAULT_C = 10.0  # the usual best setting, used when a class is too small to cross-validate


class BaselineClassifier:
    """Wraps the tuned scikit-learn pipeline with the same ``predict`` contract as ours."""

    def __init__(self, pipeline: Any, best_params: dict[str, str]) -> None:
        self.pipeline = pipeline
        self.labels = [str(c) for c in pipeline.classes_]
        self.best_params = best_params

    def predict(self, texts: Sequence[str]) -> list[tuple[str, float]]:
        probs = self.pipeline.predict_proba(list(texts))
        best = probs.argmax(axis=1)
        return [(self.labels[i], float(probs[row, i])) for row, i in enumerate(best)]

    def predict_one(self, text: str) -> tuple[str, float]:
        return self.predict([text])[0]


def baseline_train(
    texts: Sequence[str], labels: Sequence[str], *, seed: int = 0, n_jobs: int = 1
) -> BaselineClassifier:
    """Fit the baseline; folds never outnumber the rarest class's examples (few-shot classes)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV, StratifiedKFold
    from sklearn.pipeline import FeatureUnion, Pipeline

    if len(texts) != len(labels):
        raise ValueError(f"{len(texts)} texts but {len(labels)} labels")
    y = [str(label) for label in labels]
    if len(set(y)) < 2:
        raise ValueError("training needs at least two different labels")

    def tfidf(analyzer: str, ngrams: tuple[int, int]) -> TfidfVectorizer:
        return TfidfVectorizer(
            analyzer=analyzer, ngram_range=ngrams, sublinear_tf=True, strip_accents="unicode"
        )

    features = {
        "word": tfidf("word", (1, 2)),
        "char": tfidf("char_wb", (2, 5)),
        "word+char": FeatureUnion([("w", tfidf("word", (1, 2))), ("c", tfidf("char_wb", (2, 5)))]),
    }
    pipe = Pipeline(
        [
            ("features", features["word"]),
            ("clf", LogisticRegression(max_iter=3000, tol=1e-3)),
        ]
    )
    k = min(MAX_FOLDS, min(Counter(y).values()))
    if k < 2:  # a class with one example: nothing to cross-validate, use the usual best setting
        pipe.set_params(features=features["word+char"], clf__C=DEFAULT_C).fit(list(texts), y)
        return BaselineClassifier(pipe, {"features": "word+char", "clf__C": str(DEFAULT_C)})
    search = GridSearchCV(
        pipe,
        {"features": list(features.values()), "clf__C": [1.0, 10.0, 100.0]},
        scoring="f1_macro",
        cv=StratifiedKFold(n_splits=k, shuffle=True, random_state=seed),
        n_jobs=n_jobs,
        refit=True,
    )
    search.fit(list(texts), y)
    names = {id(v): k for k, v in features.items()}
    best = search.best_params_
    params = {"features": names.get(id(best["features"]), "?"), "clf__C": str(best["clf__C"])}
    return BaselineClassifier(search.best_estimator_, params)
