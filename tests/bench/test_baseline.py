"""The benchmark's reference classifier (bench/baseline.py): moved out of the application in issue 9."""

from __future__ import annotations

import pytest

import comptoir.nlp
from bench.baseline import baseline_train
from comptoir.nlp import classifier

from ..nlp.test_classifier import TRAIN, _data


def test_baseline_trains_on_few_shot_classes_and_predicts_one_of_them():
    model = baseline_train(*_data(per_class=2))  # 2 examples a class: 2-fold cross-validation
    label, confidence = model.predict_one("my bill is wrong")
    assert label in TRAIN and 0.0 < confidence <= 1.0
    one_each = baseline_train(*_data(per_class=1))  # no cross-validation possible: default setting
    assert one_each.best_params == {"features": "word+char", "clf__C": "10.0"}


def test_baseline_refuses_what_cannot_be_trained():
    with pytest.raises(ValueError, match="labels"):
        baseline_train(["a", "b"], ["x"])
    with pytest.raises(ValueError, match="two different labels"):
        baseline_train(["a", "b"], ["x", "x"])


def test_the_application_no_longer_ships_the_baseline():
    assert not hasattr(classifier, "baseline_train") and not hasattr(classifier, "BaselineClassifier")
    assert "baseline_train" not in comptoir.nlp.__all__
