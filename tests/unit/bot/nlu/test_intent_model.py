"""The intent model: placeholders, and a save/load round trip without pickle."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from bot.nlu.intent_model import IntentModel, make_views, placeholder_spans, with_placeholders


def views(text: str):  # type: ignore[no-untyped-def]
    # whitespace tokens as lemmas are enough for these checks
    tokens, start = [], 0
    for word in text.split():
        start = text.index(word, start)
        tokens.append((start, start + len(word), word))
        start += len(word)
    return make_views(text, tokens)


TRAIN = [
    ("my account is AC-104233", "inform"),
    ("here is my email anna@orange.fr", "inform"),
    ("the code is 583920", "inform"),
    ("i forgot my password", "reset_password"),
    ("reset my password please", "reset_password"),
    ("password forgotten help", "reset_password"),
    ("can i get a refund", "faq/refund"),
    ("money back please", "faq/refund"),
    ("refund for the unused months", "faq/refund"),
]


def test_identity_data_becomes_a_placeholder() -> None:
    text = "mail: anna@orange.fr, id AC-104233"
    assert with_placeholders(text, placeholder_spans(text)) == (
        "mail:  zzemailzz , id  zzaccountidzz "
    )
    assert views("the code is 583920").lemmas == "the code is zzotpcodezz"


def test_products_become_their_kind_from_the_catalogue() -> None:
    assert views("cancel my GoTo Meeting now").lemmas == "cancel my zzplanzz now"
    assert views("disdire OpenVoice Integrated").lemmas == "disdire zzaddonzz"
    assert views("résilier les numéros verts").characters == "resilier les  zzaddonzz "


def test_round_trip_keeps_predictions_and_stores_no_pickle(tmp_path: Path) -> None:
    model = IntentModel.fit([views(t) for t, _ in TRAIN], [label for _, label in TRAIN])
    model.save(tmp_path)
    loaded = IntentModel.load(tmp_path)
    # before any transform, as the first message after a model is loaded
    assert loaded.familiarity(views("kkkkkk")) == model.familiarity(views("kkkkkk")) == 0.0
    assert loaded.familiarity(views("refund?")) == model.familiarity(views("refund?")) > 0.5
    for text in ("my id is AC-999999", "forgot password", "refund?"):
        before, after = model.probabilities(views(text)), loaded.probabilities(views(text))
        assert before.keys() == after.keys()
        assert all(abs(before[k] - after[k]) < 1e-5 for k in before)
    best = loaded.probabilities(views("my id is AC-999999"))
    assert max(best, key=best.__getitem__) == "inform"
    # every array loads with pickle forbidden (np.load raises on pickled objects)
    with np.load(tmp_path / "intent_weights.npz", allow_pickle=False) as arrays:
        assert all(arrays[name].dtype != object for name in arrays.files)


def test_probabilities_are_sklearns_for_many_labels_and_for_two() -> None:
    """The scores computed in process are the classifier's own predict_proba, with and
    without the sentence-encoder view."""
    two = [(text, label) for text, label in TRAIN if label != "inform"]
    for data, encoder_weight in ((TRAIN, 0.0), (two, 0.0), (TRAIN, 0.5)):
        model = IntentModel.fit(
            [views(t) for t, _ in data], [label for _, label in data], encoder_weight=encoder_weight
        )
        for text in ("my id is AC-999999", "forgot password", "refund?", "kkkkkk"):
            ours = list(model.probabilities(views(text)).values())
            theirs = model.classifier.predict_proba(model._matrix([views(text)]))[0]
            assert np.allclose(ours, theirs)


def test_the_sentence_encoder_view_is_kept_with_the_model(tmp_path: Path) -> None:
    model = IntentModel.fit(
        [views(t) for t, _ in TRAIN], [label for _, label in TRAIN], encoder_weight=0.5
    )
    model.save(tmp_path)
    loaded = IntentModel.load(tmp_path)
    assert loaded.encoder_weight == 0.5
    before, after = model.probabilities(views("refund?")), loaded.probabilities(views("refund?"))
    assert all(abs(before[k] - after[k]) < 1e-5 for k in before)
    # the embedding carries meaning across languages: "rimborso" is nowhere in TRAIN
    best = loaded.probabilities(views("voglio un rimborso"))
    assert max(best, key=best.__getitem__) == "faq/refund"


def test_keyboard_mash_is_unfamiliar_and_real_text_is_not() -> None:
    """The share of known character trigrams: what the classifier scales confidences
    by when it is under half, so that keyboard mash falls to the FallbackClassifier."""
    model = IntentModel.fit([views(t) for t, _ in TRAIN], [label for _, label in TRAIN])
    for mash in ("kkkkkk", "xxxxx yyyy", "hhhhh"):
        assert model.familiarity(views(mash)) < 0.5, mash
    for text in ("i forgot my pasword", "refund pls", "my account is AC-123456"):
        assert model.familiarity(views(text)) >= 0.5, text
    for nothing in ("", "??", "...", "👍"):  # no word to understand
        assert model.familiarity(views(nothing)) == 0.0, nothing
