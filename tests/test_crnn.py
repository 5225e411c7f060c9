"""CRNN estimators: image sequences, long sequences, padding, bad input."""

import numpy as np
import pytest
import torch
from conftest import assert_clear_error
from test_sequence import assert_padding_invariant, ragged_waves

from sknets import CRNNClassifier, CRNNRegressor, TextTokenizer
from sknets.datasets import make_moving_squares
from sknets.modules import CRNN, ConvFront1d

FAST = dict(channels=(8, 16), hidden_size=16, max_epochs=10, random_state=0)


def test_frame_layouts_and_uint8_agree():
    X, y = make_moving_squares(40, n_frames=4, frame_size=8, random_state=0)
    rgb = np.repeat(X[..., None], 3, axis=-1)  # (n, T, H, W, C)
    last = CRNNClassifier(**FAST).fit(rgb, y)
    assert last.frame_shape_ == (3, 8, 8)
    assert last.input_kind_ == "frames"
    first = CRNNClassifier(data_format="channels_first", **FAST)
    first.fit(np.moveaxis(rgb, -1, 2), y)
    np.testing.assert_allclose(
        last.predict_proba(rgb),
        first.predict_proba(np.moveaxis(rgb, -1, 2)),
        atol=1e-6,
    )
    pixels = np.clip(X * 100 + 50, 0, 255).astype(np.uint8)
    scaled = CRNNClassifier(standardize=False, **FAST).fit(pixels, y)
    assert scaled.frame_shape_ == (1, 8, 8)  # grayscale (n, T, H, W)
    ref = CRNNClassifier(standardize=False, **FAST).fit(pixels / 255.0, y)
    np.testing.assert_allclose(
        scaled.predict_proba(pixels), ref.predict_proba(pixels / 255.0), atol=1e-6
    )


def test_variable_length_videos_do_not_depend_on_padding():
    X, y = make_moving_squares(60, n_frames=8, frame_size=12, random_state=0)
    rng = np.random.RandomState(0)
    videos = [x[: rng.randint(3, 9)] for x in X]
    clf = CRNNClassifier(**FAST).fit(videos, y)
    short = min(range(len(videos)), key=lambda i: len(videos[i]))
    alone = clf.predict_proba([videos[short]])
    together = clf.predict_proba(videos)[short : short + 1]
    np.testing.assert_allclose(alone, together, rtol=0, atol=1e-6)
    with_long = clf.predict_proba([videos[short], rng.rand(30, 12, 12)])[:1]
    np.testing.assert_allclose(alone, with_long, rtol=0, atol=1e-6)


@pytest.mark.parametrize("pooling", ["max", "avg"])
@pytest.mark.parametrize("summary", ["last", "attention"])
def test_series_padding_never_changes_a_prediction(pooling, summary):
    assert_padding_invariant(
        CRNNClassifier(pooling=pooling, summary=summary, **FAST), 1e-6
    )


def test_conv_front_halves_lengths_and_ignores_padding():
    torch.manual_seed(0)
    front = ConvFront1d(2, channels=(4, 4, 4)).eval()
    x = torch.randn(1, 13, 2)
    out, _ = front(x)
    assert out.shape == (1, 2, 4)  # 13 -> 7 -> 4 -> 2
    padded = torch.cat([x, torch.randn(1, 20, 2)], dim=1)
    out_padded, lengths = front(padded, torch.tensor([13]))
    assert lengths.tolist() == [2]
    torch.testing.assert_close(out_padded[:, :2], out, rtol=0, atol=1e-6)
    net = CRNN(2, 3, channels=(4, 4)).eval()
    torch.testing.assert_close(
        net(x), net(padded, torch.tensor([13])), atol=1e-6, rtol=0
    )


def test_crnn_on_series_and_dna_text():
    rng = np.random.RandomState(0)
    X, y = ragged_waves(200, rng)
    X_test, y_test = ragged_waves(100, rng)
    clf = CRNNClassifier(channels=(16,), hidden_size=32, max_epochs=20, random_state=0)
    assert clf.fit(X, y).score(X_test, y_test) > 0.9

    def dna(n, seed):
        r = np.random.RandomState(seed)
        labels = r.randint(0, 2, size=n)
        texts = []
        for label in labels:
            s = list(r.choice(list("ACGT"), size=120))
            if label:
                at = r.randint(0, 114)
                s[at : at + 6] = "GATTAC"
            texts.append("".join(s))
        return texts, labels

    texts, labels = dna(300, 0)
    # One pooling block leaves 60 steps between a motif and the end: the
    # attention summary finds it where the last hidden state forgets it.
    texts_test, labels_test = dna(200, 1)
    model = CRNNClassifier(
        channels=(32,),
        kernel_size=6,
        embedding_dim=8,
        summary="attention",
        tokenizer=TextTokenizer(analyzer="char", lowercase=False),
        max_epochs=20,
        random_state=0,
    )
    assert model.fit(texts, labels).score(texts_test, labels_test) > 0.9
    assert model.input_kind_ == "text"


def test_crnn_regressor_on_frames():
    X, _ = make_moving_squares(
        300, n_frames=6, frame_size=10, noise=0.0, random_state=0
    )
    row = X[:, 0].sum(axis=2).argmax(axis=1).astype(float)  # the square's row
    X = X + np.random.RandomState(0).normal(scale=0.1, size=X.shape)
    reg = CRNNRegressor(**FAST).fit(X[:200], row[:200])
    assert reg.predict(X[:5]).shape == (5,)
    assert reg.score(X[200:], row[200:]) > 0.8


def _fitted_on_frames():
    X, y = make_moving_squares(20, n_frames=4, frame_size=8, random_state=0)
    return CRNNClassifier(max_epochs=1, random_state=0).fit(X, y), X


@pytest.mark.parametrize(
    "make_input, match",
    [
        (lambda X: X[:, :, :, 0], r"3D array reads as \(n, T, F\) series"),
        (lambda X: X[:, :, :6, :6], r"frames of shape \(C, H, W\)=\(1, 6, 6\)"),
        (lambda X: X[..., None, None], "6 dimensions"),
        (lambda X: ["a text"] * 3, "not on raw text"),
        (
            lambda X: [X[0, :, :, 0], X[1, :3, :, 0]],
            r"Sample 0 of X has shape \(4, 8\)",
        ),
        (lambda X: np.where(X > 0.5, np.nan, X), "NaN"),
        (lambda X: [x[:0] for x in X], "no frames"),
    ],
)
def test_bad_frames_get_clear_errors(make_input, match):
    clf, X = _fitted_on_frames()
    with pytest.raises((ValueError, TypeError), match=match) as excinfo:
        clf.predict(make_input(X))
    assert_clear_error(excinfo)


def test_series_model_refuses_frames_and_bad_channels():
    rng = np.random.RandomState(0)
    clf = CRNNClassifier(max_epochs=1, random_state=0)
    clf.fit(rng.rand(20, 16, 2), np.arange(20) % 2)
    with pytest.raises(ValueError, match="not on image sequences") as excinfo:
        clf.predict(rng.rand(3, 4, 8, 8))
    assert_clear_error(excinfo)
    with pytest.raises(ValueError, match="channels must hold") as excinfo:
        CRNNClassifier(channels=(), max_epochs=1).fit(
            rng.rand(20, 16, 2), np.arange(20) % 2
        )
    assert_clear_error(excinfo)


def test_per_series_scaling_is_refused_for_image_sequences():
    X, y = make_moving_squares(20, n_frames=4, frame_size=8, random_state=0)
    clf = CRNNClassifier(standardize="sample", max_epochs=1, random_state=0)
    with pytest.raises(
        ValueError,
        match=r"standardize='sample' scales each numeric series by its own "
        r"statistics; CRNNClassifier scales image sequences by channel "
        r"statistics over the fit \(standardize=True\) or not at all \(False\)\.",
    ) as excinfo:
        clf.fit(X, y)
    assert_clear_error(excinfo)
    assert not hasattr(clf, "net_")
