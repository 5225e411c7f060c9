"""Transfer learning through init_from / freeze_features (shared base)."""

import numpy as np
import pytest
import torch
from sklearn.datasets import load_digits

from sknets import CNNClassifier, GRUClassifier


@pytest.fixture(scope="module")
def source():
    rng = np.random.RandomState(0)
    X = rng.rand(80, 8, 8)
    y = np.arange(80) % 4
    return CNNClassifier(
        channels=(8, 16), dense_units=16, max_epochs=3, random_state=0
    ).fit(X, y)


def _new_task():
    rng = np.random.RandomState(1)
    return rng.rand(30, 8, 8), np.array(["a", "b"] * 15)


def test_features_are_copied_and_the_head_is_new(source):
    X, y = _new_task()
    clf = CNNClassifier(
        channels=(8, 16),
        dense_units=16,
        max_epochs=1,
        lr=1e-12,
        init_from=source,
        random_state=0,
    ).fit(X, y)
    before = source.net_.module_.state_dict()
    after = clf.net_.module_.state_dict()
    for key in before:
        if key.startswith("head."):
            continue
        if key.endswith(("running_mean", "running_var", "num_batches_tracked")):
            continue  # batch-norm statistics adapt to the new data
        torch.testing.assert_close(after[key], before[key], rtol=0, atol=1e-9)
    assert after["head.weight"].shape == (2, 16)  # sized for the new targets
    assert list(clf.classes_) == ["a", "b"]


def test_freeze_features_trains_the_head_only(source):
    X, y = _new_task()
    clf = CNNClassifier(
        channels=(8, 16),
        dense_units=16,
        max_epochs=5,
        lr=1e-2,
        init_from=source,
        freeze_features=True,
        random_state=0,
    ).fit(X, y)
    before = source.net_.module_.state_dict()
    for name, parameter in clf.net_.module_.named_parameters():
        if name.startswith("head."):
            assert parameter.requires_grad
        else:
            assert not parameter.requires_grad
            torch.testing.assert_close(parameter.detach(), before[name], rtol=0, atol=0)
    # Frozen batch-norm layers keep the statistics they came with: training
    # on the new task's batches does not overwrite them.
    after = clf.net_.module_.state_dict()
    for key in before:
        if key.endswith(("running_mean", "running_var")):
            torch.testing.assert_close(after[key], before[key], rtol=0, atol=0)


def test_a_plain_torch_module_can_be_the_source(source):
    X, y = _new_task()
    module = source.net_.module_
    clf = CNNClassifier(
        channels=(8, 16), dense_units=16, max_epochs=1, init_from=module
    ).fit(X, y)
    assert clf.predict(X).shape == (30,)


def test_incompatible_source_says_what_differs(source):
    X, y = _new_task()
    with pytest.raises(
        ValueError,
        match=r"'features.0.weight' has shape \(8, 1, 3, 3\) there.*needs \(32, 1, 3, 3\)",
    ):
        CNNClassifier(max_epochs=1, init_from=source).fit(X, y)
    rnn = GRUClassifier(hidden_size=8, max_epochs=1).fit(
        np.random.rand(10, 5, 2), np.arange(10) % 2
    )
    with pytest.raises(ValueError, match="has no 'features.0.weight'"):
        CNNClassifier(max_epochs=1, init_from=rnn).fit(X, y)
    with pytest.raises(Exception, match="not fitted"):
        CNNClassifier(max_epochs=1, init_from=CNNClassifier()).fit(X, y)


def test_fine_tuning_from_digits_0_4_beats_scratch_on_few_examples_of_5_9():
    """The transfer-learning claim: features learned on digits 0-4 help a model
    that sees 3 examples of each of the digits 5-9, over four draws of those
    examples, against the same architecture and training trained from scratch
    on the same examples."""
    X, y = load_digits(return_X_y=True)
    X = X.reshape(-1, 8, 8) / 16.0
    # No hidden dense layer: the pooled convolution features are what carries
    # over; a dense layer fitted to the source classes transfers less.
    arch = dict(dense_units=0)
    source = CNNClassifier(random_state=0, **arch).fit(X[y < 5], y[y < 5])
    X_new, y_new = X[y >= 5], y[y >= 5]
    scratch, tuned = [], []
    for seed in range(4):
        rng = np.random.RandomState(seed)
        few = np.concatenate(
            [
                rng.choice(np.flatnonzero(y_new == c), 3, replace=False)
                for c in range(5, 10)
            ]
        )
        rest = np.setdiff1d(np.arange(len(y_new)), few)
        for scores, params in ((scratch, {}), (tuned, {"init_from": source})):
            model = CNNClassifier(random_state=seed, **arch, **params)
            model.fit(X_new[few], y_new[few])
            scores.append(model.score(X_new[rest], y_new[rest]))
    scratch, tuned = np.array(scratch), np.array(tuned)
    assert tuned.mean() > scratch.mean() + 0.03, (tuned, scratch)
    assert (tuned > scratch).sum() >= 3, (tuned, scratch)


def test_a_head_on_frozen_features_is_first_fitted_to_them():
    """Linear probing: on frozen copied features the new head starts as the
    ridge regression of the new targets on them, so a network whose head
    barely trains (lr=1e-12) already classifies a task those features
    serve; a random head would score about chance (0.1; another seed than
    the source's, whose body was trained to that seed's initial head). A
    regressor's head is fitted the same way."""
    X, y = load_digits(return_X_y=True)
    X = X.reshape(-1, 8, 8) / 16.0
    source = CNNClassifier(max_epochs=10, random_state=0).fit(X[:900], y[:900])
    words = np.array(list("abcdefghij"))[y]
    settings = dict(max_epochs=1, lr=1e-12, init_from=source, random_state=1)
    settings |= dict(freeze_features=True)
    clf = CNNClassifier(**settings).fit(X[900:1000], words[900:1000])
    assert clf.score(X[1000:], words[1000:]) > 0.8
    proba = clf.predict_proba(X[1000:])
    assert 0.5 < proba.max(axis=1).mean() < 0.999  # scaled, not saturated
    from sknets import CNNRegressor

    reg = CNNRegressor(**settings).fit(X[900:1000], y[900:1000] * 10.0)
    assert reg.score(X[1000:], y[1000:] * 10.0) > 0.5


def test_the_head_is_what_the_module_names_with_get_head():
    """Transfer learning copies and freezes everything but the layer the
    module's ``get_head()`` returns, whatever its attribute name."""
    from sknets._transfer import head_prefix, transfer_features

    class Named(torch.nn.Module):
        def __init__(self, n_outputs):
            super().__init__()
            self.body = torch.nn.Linear(3, 4)
            self.out = torch.nn.Linear(4, n_outputs)

        def get_head(self):
            return self.out

    source, target = Named(2), Named(5)
    assert head_prefix(target) == "out."
    transfer_features(target, source, freeze=True)
    torch.testing.assert_close(target.body.weight, source.body.weight)
    assert not target.body.weight.requires_grad and target.out.weight.requires_grad
    assert head_prefix(torch.nn.Linear(2, 2)) is None  # no head: nothing left out
