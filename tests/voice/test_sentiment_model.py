"""The sentiment model itself (comptoir.nlp.sentiment) and `comptoir sentiment train|eval`.

Nothing here reads ../shared/data: the CLI trains on a small CSV written by the test, and the
shipped model is judged on support messages written here.
"""

from __future__ import annotations

import csv
import io

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from comptoir.nlp import sentiment

ROWS = [
    ("This is unacceptable, my parcel is lost and nobody answers", "negative"),
    ("C'est inadmissible, mon colis est perdu et personne ne répond", "negative"),
    ("Terrible service, I am very angry about this bill", "negative"),
    ("Service nul, je suis très en colère à cause de cette facture", "negative"),
    ("Awful experience, the technician never came", "negative"),
    ("Expérience horrible, le technicien n'est jamais venu", "negative"),
    ("I hate waiting for hours on the phone", "negative"),
    ("Je déteste attendre des heures au téléphone", "negative"),
    ("Could you send me a copy of my invoice", "neutral"),
    ("Pourriez-vous m'envoyer une copie de ma facture", "neutral"),
    ("I am moving next month, how do I transfer the contract", "neutral"),
    ("Je déménage le mois prochain, comment transférer le contrat", "neutral"),
    ("What are your opening hours on Saturday", "neutral"),
    ("Quels sont vos horaires d'ouverture le samedi", "neutral"),
    ("Here is my meter reading for this month", "neutral"),
    ("Voici le relevé de mon compteur pour ce mois", "neutral"),
    ("Thank you so much, great service, problem solved", "positive"),
    ("Merci beaucoup, excellent service, problème résolu", "positive"),
    ("The technician was wonderful and very kind", "positive"),
    ("Le technicien était formidable et très gentil", "positive"),
    ("Perfect, I love the new app, thanks a lot", "positive"),
    ("Parfait, j'adore la nouvelle application, merci", "positive"),
    ("Excellent, fast delivery, very happy", "positive"),
    ("Excellent, livraison rapide, très content", "positive"),
]


def _csv(path, rows, text="message", label="tone"):  # type: ignore[no-untyped-def]
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([text, label])
        writer.writerows(rows)
    return path


def test_cli_train_then_eval_round_trip(tmp_path):
    train_csv = _csv(tmp_path / "train.csv", ROWS)
    model_path = tmp_path / "sentiment.npz"
    out = io.StringIO()
    call_command(
        "sentiment", "train", "--csv", str(train_csv), "--text", "message", "--label", "tone",
        "--out", str(model_path), stdout=out,
    )  # fmt: skip
    assert model_path.exists() and "trained on 24 examples" in out.getvalue()
    test_csv = _csv(
        tmp_path / "test.csv",
        [
            ("Unacceptable, nobody answers and my parcel is lost", "negative"),
            ("C'est inadmissible, personne ne répond", "negative"),
            ("Could you send me a copy of my contract", "neutral"),
            ("Pourriez-vous m'envoyer une copie du contrat", "neutral"),
            ("Thank you so much, excellent service", "positive"),
            ("Merci beaucoup, service excellent", "positive"),
        ],
    )
    out = io.StringIO()
    call_command(
        "sentiment", "eval", "--csv", str(test_csv), "--text", "message", "--label", "tone",
        "--model", str(model_path), stdout=out,
    )  # fmt: skip
    lines = out.getvalue().strip().splitlines()
    assert lines[-1].startswith("macro_f1=")
    assert float(lines[-1].split("=", 1)[1]) >= 0.8  # near copies of the training rows are learnt
    assert any(line.startswith("negative_recall=") for line in lines)
    # The file is the model: loaded again, it answers as the command measured.
    loaded = sentiment.load(model_path)
    assert loaded.predict(["Thank you so much, excellent service"], cues=False)[0].label == "positive"


def test_cli_eval_without_model_uses_the_shipped_one(tmp_path, monkeypatch):
    monkeypatch.delenv("COMPTOIR_SENTIMENT_MODEL", raising=False)
    sentiment.reload()
    path = _csv(
        tmp_path / "support.csv",
        [
            ("C'est la troisième fois que j'appelle, c'est inacceptable !!!", "negative"),
            ("This is ridiculous, I want to cancel my account.", "negative"),
            ("Pourriez-vous m'envoyer ma facture de mars ?", "neutral"),
            ("Thank you so much for fixing it so quickly!", "positive"),
        ],
        text="text",
        label="label",
    )
    out = io.StringIO()
    call_command("sentiment", "eval", "--csv", str(path), "--text", "text", "--label", "label", stdout=out)
    last = out.getvalue().strip().splitlines()[-1]
    assert last.startswith("macro_f1=") and float(last.split("=", 1)[1]) >= 0.6


def test_cli_errors_are_clear(tmp_path):
    path = _csv(tmp_path / "x.csv", ROWS)
    with pytest.raises(CommandError, match="no column 'body'"):
        call_command("sentiment", "eval", "--csv", str(path), "--text", "body", "--label", "tone")
    with pytest.raises(CommandError, match="unknown labels"):
        call_command(
            "sentiment", "train", "--csv", str(_csv(tmp_path / "bad.csv", [("a", "angry"), ("b", "calm")])),
            "--text", "message", "--label", "tone", "--out", str(tmp_path / "m.npz"),
        )  # fmt: skip
    garbage = tmp_path / "garbage.npz"
    garbage.write_bytes(b"not a model")
    with pytest.raises(CommandError, match="cannot load the model"):
        call_command(
            "sentiment",
            "eval",
            "--csv",
            str(path),
            "--text",
            "message",
            "--label",
            "tone",
            "--model",
            str(garbage),
        )


COMPLAINTS = [
    ("fr", "C'est la troisième fois que j'appelle pour la même panne. Inacceptable."),
    ("fr", "Je n'ai toujours pas reçu mon colis et personne ne répond à mes mails."),
    ("fr", "Votre conseiller m'a raccroché au nez, je vais résilier mon contrat."),
    ("fr", "FACTURE FAUSSE ENCORE UNE FOIS !!!"),
    ("en", "This is ridiculous, I've called four times and nobody fixed the outage."),
    ("en", "My parcel is lost and I still haven't got my refund. I want to cancel my account."),
    ("en", "Your agent was rude and hung up on me."),
    ("en", "WRONG BILL AGAIN!!! Fix it now."),
]


@pytest.mark.parametrize(("language", "text"), COMPLAINTS)
def test_shipped_model_labels_clear_support_complaints_negative(language, text):
    [result] = sentiment.score([text], [language])
    assert result.label == "negative", result
    assert result.negative > 0.5 and result.score < 0


def test_shipped_model_on_requests_and_thanks():
    polite, thanks, merci = sentiment.score(
        [
            "Bonjour, pourriez-vous m'envoyer une copie de ma facture de mars ?",
            "Thank you so much, the technician was great and everything works.",
            "Merci beaucoup pour votre aide, tout est réglé !",
        ]
    )
    assert polite.label != "negative" and not polite.cues
    assert thanks.label == "positive" and thanks.score > 0
    assert merci.label == "positive" and merci.score > 0


def test_support_cues_name_what_they_found():
    assert "repeat contact" in sentiment.support_cues("C'est la troisième fois que je vous écris")[0]
    assert "repeat contact" in sentiment.support_cues("I have called you three times about this")[0]
    assert "churn threat" in sentiment.support_cues("Je vais résilier mon abonnement")[0]
    assert "churn threat" in sentiment.support_cues("Fix it or I will cancel my account")[0]
    assert "churn threat" in sentiment.support_cues("Je vais changer de fournisseur")[0]
    # A request, not a threat: moving out and closing the account at that address.
    for request in (
        "I am leaving my home and want to close my account at that address.",
        "Je quitte mon logement et je veux fermer mon compte à cette adresse.",
    ):
        assert "churn threat" not in sentiment.support_cues(request)[0]
    assert "inacceptable" in sentiment.support_cues("C'est inacceptable")[0]
    assert "ridiculous" in sentiment.support_cues("This is ridiculous")[0]
    names, _, _ = sentiment.support_cues("JE SUIS TRÈS EN COLÈRE !!!")
    assert "caps" in names and "exclamations" in names
    assert sentiment.support_cues("Bonjour, voici mon relevé de compteur.")[0] == ()
    # Capitals and "!!!" only intensify a complaint: an enthusiastic thank-you stays positive.
    [thanks] = sentiment.score(["MERCI BEAUCOUP !!! Vous êtes au top."])
    assert thanks.label == "positive" and "exclamations" in thanks.cues


def test_interface():
    results = sentiment.score(["Merci !", "Where is my parcel?", ""], ["fr", "en", "en"])
    assert len(results) == 3 and sentiment.score([]) == []
    for r in results:
        assert isinstance(r, sentiment.Sentiment)
        assert r.label in sentiment.LABELS
        assert -1.0 <= r.score <= 1.0 and 0.0 <= r.negative <= 1.0
        assert isinstance(r.cues, tuple)
    with pytest.raises(ValueError, match="languages"):
        sentiment.score(["a", "b"], ["fr"])
    assert sentiment.current() is sentiment.current()  # loaded once


def test_model_file_is_checked(tmp_path):
    model = sentiment.train([t for t, _ in ROWS], [label for _, label in ROWS])
    path = tmp_path / "m.npz"
    model.save(path)
    again = sentiment.load(path)
    text = "Unacceptable, my parcel is lost"
    assert again.predict([text])[0] == model.predict([text])[0]
    # A weight changed behind the checksum's back is refused, and so is a file that is no model.
    with np.load(path, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    arrays["intercept"] = arrays["intercept"] + np.float32(1.0)
    np.savez_compressed(path, **arrays)
    with pytest.raises(ValueError, match="checksum"):
        sentiment.load(path)
    path.write_bytes(b"not a model")
    with pytest.raises(ValueError, match="not an .npz"):
        sentiment.load(path)
    with pytest.raises(ValueError, match="unknown labels"):
        sentiment.train(["a", "b"], ["bad", "negative"])
