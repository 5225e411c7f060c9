"""MiniRocket: the features of the published transform, padding, the ridge
head and its probabilities, training beyond it."""

import pickle

import numpy as np
import pytest
import torch
from sklearn.linear_model import Ridge, RidgeCV
from test_convnets import local_shapes

from sknets import MiniRocketClassifier, MiniRocketRegressor
from sknets.modules import rocket as rocket_module
from sknets.modules._ridge import RIDGE_ALPHAS, ridge_loo
from sknets.modules.rocket import _INDICES, N_KERNELS, MiniRocket


def reference_ppv(series, kernel, dilation, bias, inner):
    """One MiniRocket feature written out as the paper defines it: the
    convolution of a series with a kernel (weight -1, and 2 at the kernel's
    three positions) dilated by ``dilation`` with zero padding, then the
    proportion of outputs above ``bias``, over all of them or, for
    ``inner``, over those computed without padding."""
    weights = -np.ones(9)
    weights[_INDICES[kernel]] = 2.0
    pad = 4 * dilation
    padded = np.r_[np.zeros(pad), series, np.zeros(pad)]
    out = np.array(
        [
            sum(weights[j] * padded[t + j * dilation] for j in range(9))
            for t in range(len(series))
        ]
    )
    if inner and len(series) > 2 * pad:
        out = out[pad : len(series) - pad]
    return np.mean(out > bias)


def test_features_are_minirockets():
    rng = np.random.RandomState(0)
    x = torch.tensor(rng.normal(size=(3, 60, 1)), dtype=torch.float32)
    module = MiniRocket(1, 2, input_length=60)
    module.data_init(x)
    with torch.no_grad():
        features = module._ppv(x, None).numpy()
    start = 0
    for index, (dilation, count) in enumerate(zip(module.dilations, module.counts)):
        for kernel in (0, 41, 83):
            for j in range(count):
                feature = start + kernel * count + j
                bias = float(module.biases[feature])
                inner = (index + kernel) % 2 == 1
                for i in range(3):
                    expected = reference_ppv(
                        x[i, :, 0].numpy(), kernel, dilation, bias, inner
                    )
                    assert features[i, feature] == pytest.approx(expected, abs=1e-6)
        start += N_KERNELS * count
    assert module.num_features == 84 * (10_000 // 84)


def test_variable_lengths_read_each_series_own_steps():
    rng = np.random.RandomState(0)
    module = MiniRocket(2, 2, input_length=50)
    module.data_init(torch.tensor(rng.normal(size=(10, 50, 2)), dtype=torch.float32))
    series = [rng.normal(size=(t, 2)) for t in (20, 35, 50)]
    padded = torch.zeros(3, 50, 2)
    for i, s in enumerate(series):
        padded[i, : len(s)] = torch.tensor(s)
    with torch.no_grad():
        together = module._ppv(padded, torch.tensor([20, 35, 50]))
        for i, s in enumerate(series):
            alone = module._ppv(torch.tensor(s, dtype=torch.float32)[None], None)
            torch.testing.assert_close(together[i : i + 1], alone)


def test_feature_statistics_of_unequal_lengths_are_those_of_the_whole_batch():
    # data_init computes them chunk by chunk, each chunk cut to its longest
    # series; the features must be those of the whole padded batch, in order
    generator = torch.Generator().manual_seed(0)
    lengths = torch.randint(9, 200, (150,), generator=generator)
    lengths[[3, 77]] = 200  # a chunk of equal lengths takes the unmasked path
    x = torch.randn(150, 200, 2, generator=generator)
    x[torch.arange(200)[None, :] >= lengths[:, None]] = 0.0
    module = MiniRocket(2, 2, input_length=200)
    torch.manual_seed(0)
    module.data_init(x, lengths)
    rows = torch.randperm(150, generator=generator)[:100]
    with torch.no_grad():
        whole = module._ppv(x[rows], lengths[rows])
        chunked = module._ppv_by_length(x, lengths, rows, chunk=16)
    torch.testing.assert_close(chunked, whole, rtol=0, atol=0)
    torch.testing.assert_close(
        module.feature_mean,
        module._ppv(x, lengths).mean(dim=0),
        rtol=0,
        atol=1e-6,
    )


@pytest.mark.parametrize("variable", [False, True], ids=["equal", "variable"])
def test_comparisons_in_chunks_of_samples_give_the_features_of_one(
    monkeypatch, variable
):
    # _ppv compares the convolution outputs with their biases a few samples
    # at a time; one sample per chunk must give what one chunk of all gives
    generator = torch.Generator().manual_seed(0)
    x = torch.randn(7, 90, 2, generator=generator)
    lengths = torch.tensor([90, 12, 45, 90, 60, 9, 33]) if variable else None
    module = MiniRocket(2, 2, input_length=90)
    torch.manual_seed(0)
    module.data_init(x, lengths)
    with torch.no_grad():
        monkeypatch.setattr(rocket_module, "_COMPARED_AT_ONCE", 2**40)
        one = module._ppv(x, lengths)
        monkeypatch.setattr(rocket_module, "_COMPARED_AT_ONCE", 1)
        chunked = module._ppv(x, lengths)
    assert one.std() > 0
    torch.testing.assert_close(chunked, one, rtol=0, atol=0)


@pytest.mark.parametrize("variable", [False, True], ids=["equal", "variable"])
def test_a_fit_computes_the_features_of_its_training_series_once(monkeypatch, variable):
    # data_init computes the features of every training series (up to
    # max_series) for their statistics; training reads those, not new ones
    rng = np.random.RandomState(0)
    if variable:
        X = [rng.normal(size=(t, 2)) for t in rng.randint(20, 60, 40)]
    else:
        X = rng.normal(size=(40, 50, 2))
    y = np.arange(40) % 2
    rows = []
    ppv = MiniRocket._ppv

    def counted(self, x, lengths):
        rows.append(len(x))
        return ppv(self, x, lengths)

    monkeypatch.setattr(MiniRocket, "_ppv", counted)
    kept = MiniRocketClassifier(random_state=0).fit(X, y)
    assert sum(rows) == 40 + 2  # data_init's, and the built module's 2-sample check
    rows.clear()
    monkeypatch.setattr(MiniRocket, "pop_initial_features", lambda self, x: None)
    computed = MiniRocketClassifier(random_state=0).fit(X, y)
    assert sum(rows) == 2 * 40 + 2
    monkeypatch.undo()
    X_new = rng.normal(size=(10, 50, 2))
    np.testing.assert_array_equal(kept.predict_proba(X), computed.predict_proba(X))
    np.testing.assert_array_equal(
        kept.predict_proba(X_new), computed.predict_proba(X_new)
    )


def test_kept_features_are_given_once_for_their_batch_and_never_pickled():
    x = torch.randn(12, 40, 1, generator=torch.Generator().manual_seed(0))
    module = MiniRocket(1, 2, input_length=40)
    module.data_init(x)
    assert "_initial" not in pickle.loads(pickle.dumps(module)).__dict__
    assert module.pop_initial_features(x.clone()) is None  # another batch
    module.data_init(x)
    with torch.no_grad():
        expected = module.forward_features(x)
    torch.testing.assert_close(module.pop_initial_features(x), expected, rtol=0, atol=0)
    assert module.pop_initial_features(x) is None  # given once
    module.data_init(x, max_series=5)  # statistics of 5 series: none kept
    assert module.pop_initial_features(x) is None


def test_a_fit_that_cannot_use_the_kept_features_drops_them():
    # with augmentation the features are computed batch by batch from the
    # augmented series: the ones data_init kept must not stay on the module
    rng = np.random.RandomState(0)
    X, y = rng.normal(size=(30, 40)), np.arange(30) % 2
    clf = MiniRocketClassifier(augment="jitter", max_epochs=1, random_state=0)
    assert clf.fit(X, y).net_.module_._initial is None


def test_padding_never_changes_a_prediction():
    # series other than the training ones: a bias drawn from a training
    # series can equal one of its outputs, where float rounding decides
    rng = np.random.RandomState(0)
    X = [rng.normal(size=(t, 2)) for t in rng.randint(5, 40, 60)]
    clf = MiniRocketClassifier(random_state=0).fit(X, np.arange(60) % 2)
    new = [rng.normal(size=(t, 2)) for t in (3, 12, 80)]
    alone = np.vstack([clf.predict_proba([x]) for x in new])
    np.testing.assert_allclose(clf.predict_proba(new), alone, rtol=0, atol=1e-6)


def test_a_shape_at_a_random_position_in_seconds():
    rng = np.random.RandomState(0)
    X, y = local_shapes(300, rng)
    X_test, y_test = local_shapes(200, rng)
    clf = MiniRocketClassifier(random_state=0).fit(X, y)
    assert clf.n_iter_ == 0  # the ridge head, no epoch
    assert clf.score(X_test, y_test) > 0.95


def test_ridge_head_matches_scikit_learn():
    rng = np.random.RandomState(0)
    features = torch.tensor(rng.normal(size=(40, 20)))
    signal = features[:, :2] + features[:, 2:4]
    targets = signal + torch.tensor(rng.normal(size=(40, 2)))
    weights, intercept, _ = ridge_loo(features, targets)
    # the penalties are relative to the features' total variance
    total_variance = float(((features - features.mean(0)) ** 2).sum() / len(features))
    alphas = total_variance * RIDGE_ALPHAS
    ridge = RidgeCV(alphas=alphas).fit(features.numpy(), targets.numpy())
    assert ridge.alpha_ not in (alphas[0], alphas[-1])  # chosen inside the grid
    np.testing.assert_allclose(
        (features @ weights + intercept).numpy(),
        ridge.predict(features.numpy()),
        atol=1e-6,
    )


def test_a_relative_penalty_shrinks_alike_whatever_the_scale_of_the_features():
    rng = np.random.RandomState(0)
    features = torch.tensor(rng.normal(size=(40, 200)))
    targets = torch.tensor(rng.normal(size=(40, 1)))
    for alpha in (0.01, 1.0):
        weights, intercept, _ = ridge_loo(features, targets, alphas=alpha)
        scaled, scaled_intercept, _ = ridge_loo(100 * features, targets, alphas=alpha)
        np.testing.assert_allclose(
            (100 * features @ scaled + scaled_intercept).numpy(),
            (features @ weights + intercept).numpy(),
            atol=1e-8,
        )
        # the same fixed penalty on the raw scale is another fit
        ridge = Ridge(alpha=alpha * float(features.var(0, correction=0).sum()))
        ridge.fit(features.numpy(), targets.numpy())
        np.testing.assert_allclose(
            (features @ weights + intercept).numpy().ravel(),
            ridge.predict(features.numpy()).ravel(),
        )


def test_alphas_fix_the_penalty_of_the_head_and_are_checked():
    rng = np.random.RandomState(0)
    X, y = local_shapes(80, rng)
    y = y + 0.5 * rng.normal(size=len(y))
    spreads = [
        MiniRocketRegressor(alphas=alpha, num_features=840, random_state=0)
        .fit(X, y)
        .predict(X)
        .std()
        for alpha in (1e-4, 1.0, 100.0)
    ]
    # a heavier penalty pulls the predictions towards the mean of y
    assert spreads[0] > spreads[1] > spreads[2]
    assert spreads[2] < 0.1 * y.std()
    default = MiniRocketRegressor(num_features=840, random_state=0).fit(X, y)
    chosen = MiniRocketRegressor(
        alphas=list(RIDGE_ALPHAS), num_features=840, random_state=0
    ).fit(X, y)
    np.testing.assert_array_equal(default.predict(X), chosen.predict(X))
    for alphas in ([], [1.0, -1.0], [np.nan], [[1.0]]):
        message = "alphas must be None or a non-empty list of positive numbers"
        with pytest.raises(ValueError, match=message):
            MiniRocketRegressor(alphas=alphas).fit(X, y)


@pytest.mark.parametrize("informative_scale, power", [(0.01, 1.0), (1.0, 0.0)])
def test_head_weighs_the_features_as_leave_one_out_prefers(informative_scale, power):
    # one informative feature and 300 of noise: when it is the one with the
    # small spread, standardising (power 1) brings it forward; when the noise
    # has the small spread, the raw features (power 0) keep it small
    rng = np.random.RandomState(0)
    module = MiniRocket(1, 1, input_length=20, num_features=84)
    noise_scale = 1.0 if informative_scale < 1 else 0.01
    y = rng.normal(size=(120, 1))
    signal = y + 0.1 * rng.normal(size=(120, 1))
    raw = np.hstack(
        [informative_scale * signal, noise_scale * rng.normal(size=(120, 300))]
    )
    module.feature_scale = torch.tensor(raw.std(0))
    module.head = torch.nn.Linear(301, 1).double()
    features = torch.tensor((raw - raw.mean(0)) / raw.std(0))
    module.fit_head(features, torch.tensor(y))
    chosen = module.feature_scale.numpy()
    expected = raw.std(0) ** power / np.mean(raw.std(0) ** power)
    np.testing.assert_allclose(chosen, expected, rtol=1e-6)
    # and it predicts new samples better than the other end would
    y_new = rng.normal(size=(200, 1))
    signal = y_new + 0.1 * rng.normal(size=(200, 1))
    new = np.hstack(
        [informative_scale * signal, noise_scale * rng.normal(size=(200, 300))]
    )
    centred = torch.tensor(new - raw.mean(0))
    with torch.no_grad():
        chosen_fit = module.head(centred / module.feature_scale).numpy()[:, 0]
    other = raw.std(0) ** (1 - power)
    other = torch.tensor(other / other.mean())
    weights, intercept, _ = ridge_loo(
        torch.tensor(raw - raw.mean(0)) / other, torch.tensor(y)
    )
    other_fit = (centred / other @ weights + intercept).numpy()[:, 0]
    chosen_r = np.corrcoef(chosen_fit, y_new[:, 0])[0, 1]
    assert chosen_r > np.corrcoef(other_fit, y_new[:, 0])[0, 1] + 0.1


def test_on_many_samples_the_weighting_is_chosen_on_a_subset_then_fitted_on_all():
    rng = np.random.RandomState(0)
    module = MiniRocket(1, 1, input_length=20, num_features=84)
    module.selection_samples = 60  # of the 120
    y = rng.normal(size=(120, 1))
    raw = np.hstack(
        [0.01 * (y + 0.1 * rng.normal(size=(120, 1))), rng.normal(size=(120, 300))]
    )
    module.feature_scale = torch.tensor(raw.std(0))
    module.head = torch.nn.Linear(301, 1).double()
    module.fit_head(torch.tensor((raw - raw.mean(0)) / raw.std(0)), torch.tensor(y))
    # the power the subset prefers (standardised features, as above) ...
    np.testing.assert_allclose(
        module.feature_scale.numpy(), raw.std(0) / raw.std(0).mean(), rtol=1e-6
    )
    # ... and the head of the ridge fit on every sample with it
    weights, intercept, _ = ridge_loo(
        torch.tensor(raw - raw.mean(0)) / module.feature_scale, torch.tensor(y)
    )
    head = module.head.weight.detach().numpy()
    # rtol: with 301 features and 120 samples the solution amplifies rounding
    np.testing.assert_allclose(head, weights.T.numpy(), rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(
        module.head.bias.detach().numpy(), intercept.numpy(), rtol=1e-4, atol=1e-6
    )
    rows = np.linspace(0, 119, 60).astype(int)
    subset, _, _ = ridge_loo(
        torch.tensor(raw[rows] - raw.mean(0)) / module.feature_scale,
        torch.tensor(y[rows]),
    )
    assert not np.allclose(head, subset.T.numpy(), rtol=1e-2)  # not the subset's


def test_probabilities_are_calibrated_on_left_out_samples():
    rng = np.random.RandomState(0)
    X, y = local_shapes(200, rng)
    X_test, y_test = local_shapes(300, rng)
    clf = MiniRocketClassifier(random_state=0).fit(X, y)
    proba = clf.predict_proba(X_test)
    log_loss = -np.mean(np.log(proba[np.arange(len(y_test)), y_test] + 1e-12))
    raw = clf._forward(X_test)  # the head's scores before softmax
    scale = np.abs(clf.net_.module_.head.weight.detach().numpy()).sum()
    assert scale > 0 and log_loss < 0.25
    # the same scores without the fitted scale: near-uniform, worse log loss
    flat = raw / 100
    flat = np.exp(flat - flat.max(1, keepdims=True))
    flat /= flat.sum(1, keepdims=True)
    assert -np.mean(np.log(flat[np.arange(len(y_test)), y_test])) > log_loss


def test_explicit_epochs_train_the_head_beyond_the_ridge_solution():
    rng = np.random.RandomState(0)
    X, y = local_shapes(100, rng)
    ridge_only = MiniRocketClassifier(random_state=0).fit(X, y)
    trained = MiniRocketClassifier(max_epochs=3, random_state=0).fit(X, y)
    assert trained.n_iter_ == 3 and len(trained.loss_curve_) == 3
    assert not np.allclose(trained.predict_proba(X), ridge_only.predict_proba(X))


def test_regressor_and_multivariate_channels():
    rng = np.random.RandomState(0)
    X = rng.normal(scale=0.3, size=(200, 3, 60))  # channels first
    width = rng.randint(3, 30, size=200)  # how long a level shift lasts
    for i, w in enumerate(width):
        start = rng.randint(0, 60 - w)
        X[i, 1, start : start + w] += 2.0
    reg = MiniRocketRegressor(random_state=0, data_format="channels_first")
    reg.fit(X[:150], width[:150])
    assert reg.score(X[150:], width[150:]) > 0.8  # predicting the mean: 0
    channels = reg.net_.module_.channels
    assert channels.shape == (len(reg.net_.module_.dilations), 84, 3, 1)
    per_kernel = channels.sum(dim=2)
    assert per_kernel.min() >= 1 and per_kernel.max() <= 3
    assert len({tuple(c.flatten().tolist()) for c in channels[0]}) > 1
