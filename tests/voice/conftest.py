"""A sentiment model whose answers the tests choose (the real one is measured in its own tests)."""

from __future__ import annotations

import pytest

from comptoir.nlp import sentiment
from comptoir.voice import services as voice_services


def _fake(text: str) -> sentiment.Sentiment:
    if "FURIOUS" in text:  # strong anger: very negative, with cues
        return sentiment.Sentiment(
            label="negative", score=-0.95, negative=0.97, cues=("caps", "exclamations", "churn threat")
        )
    if "annoyed" in text:  # negative, but below the alert threshold
        return sentiment.Sentiment(label="negative", score=-0.4, negative=0.6, cues=())
    if "thanks" in text:
        return sentiment.Sentiment(label="positive", score=0.8, negative=0.02, cues=())
    return sentiment.Sentiment(label="neutral", score=0.0, negative=0.1, cues=())


@pytest.fixture
def fake_model(monkeypatch):
    calls: list[str] = []

    def score(texts, languages=None):  # type: ignore[no-untyped-def]
        calls.extend(texts)
        return [_fake(t) for t in texts]

    monkeypatch.setattr(sentiment, "score", score)
    monkeypatch.setattr(sentiment, "MODEL_VERSION", "test-fake", raising=False)
    monkeypatch.setattr(voice_services, "_recent", {})  # texts scored by an earlier test's model
    return calls
