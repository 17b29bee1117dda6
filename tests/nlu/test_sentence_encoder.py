"""The NumPy MiniLM against the reference implementation, and its checksum guard.

The reference figures were computed once, outside the project, with Hugging Face
transformers 5.25.0 and torch 2.13.0 (CPU) on the same model files: `AutoModel` last hidden
state, mean over all pieces, L2-normalised; the first eight dimensions are kept here.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from nlu.sentence_encoder import (
    EncoderUnavailableError,
    default_model_dir,
    load_encoder,
)

REFERENCE = {
    "can I book a haircut tomorrow at 3 for 45 minutes?": [
        -0.00784397590905428, 0.001607791637070477, 0.04946012422442436, -0.02069312147796154,
        -0.08891722559928894, 0.037199027836322784, -0.08137685805559158, -0.024065319448709488,
    ],
    "cancel my booking please": [
        0.04109448567032814, 0.03296371176838875, -0.009501050226390362, 0.015062563121318817,
        -0.035556454211473465, -0.02824200503528118, 0.07252247631549835, -0.06062319874763489,
    ],
    "Piano recital": [
        0.0041727484203875065, 0.02342521771788597, 0.040129873901605606, -0.06284286081790924,
        -0.07285522669553757, 0.11821302026510239, 0.04240171238780022, -0.042559556663036346,
    ],
}  # fmt: skip


@pytest.fixture(scope="module")
def encoder():
    return load_encoder()


@pytest.mark.parametrize("text", sorted(REFERENCE))
def test_sentence_vector_matches_the_reference_implementation(encoder, text):
    vector = encoder.encode(text).sentence
    assert vector.shape == (384,)
    assert np.allclose(vector[:8], REFERENCE[text], atol=1e-5)
    assert np.linalg.norm(vector) == pytest.approx(1.0, abs=1e-5)


def test_paraphrases_are_closer_than_unrelated_requests(encoder):
    def vec(text):
        return encoder.encode(text).sentence

    booking = vec("could you pencil me in for a trim on friday")
    paraphrase = vec("I'd like to book a haircut this Friday")
    unrelated = vec("what's the exchange rate for euros")
    assert float(booking @ paraphrase) > float(booking @ unrelated) + 0.2


def test_word_vectors_follow_the_given_spans(encoder):
    text = "book a haircut"
    spans = [(0, 4), (5, 6), (7, 14), (20, 25)]  # the last span is past the text: no piece
    encoded = encoder.encode(text, spans)
    assert encoded.words.shape == (4, 384)
    assert np.abs(encoded.words[:3]).sum(axis=1).min() > 0
    assert not encoded.words[3].any()
    # "haircut" is two pieces (hair, ##cut): its vector is their mean, not either alone
    assert not np.allclose(encoded.words[2], encoded.words[1])


def test_a_long_text_is_cut_not_refused(encoder):
    text = "please book " * 200
    encoded = encoder.encode(text, [(0, 6)])
    assert encoded.sentence.shape == (384,)
    assert np.isfinite(encoded.sentence).all()


def test_an_empty_text_still_gives_a_vector(encoder):
    assert np.isfinite(encoder.encode("").sentence).all()


def test_a_changed_weights_file_is_refused(tmp_path: Path):
    source = default_model_dir()
    shutil.copy(source / "tokenizer.json", tmp_path / "tokenizer.json")
    weights = (source / "model.safetensors").read_bytes()
    (tmp_path / "model.safetensors").write_bytes(weights[:-1] + bytes([weights[-1] ^ 1]))
    with pytest.raises(EncoderUnavailableError, match="SHA-256"):
        load_encoder(tmp_path)


def test_missing_files_are_refused_with_the_fix(tmp_path: Path):
    with pytest.raises(EncoderUnavailableError, match="make install"):
        load_encoder(tmp_path)
