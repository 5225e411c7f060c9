"""The examples run and show what they claim."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "examples"))


def test_airline_gru_beats_seasonal_naive():
    pytest.importorskip("sktime")
    import forecast_airline

    rows = forecast_airline.main(random_state=0)
    gru_mae, gru_mape = rows["GRURegressor"]
    naive_mae, naive_mape = rows["seasonal naive"]
    assert gru_mape < naive_mape
    assert gru_mae < naive_mae


def test_transfer_example_fine_tuning_beats_scratch():
    import transfer_digits

    means = transfer_digits.main()
    assert means["fine-tuned"] > means["from scratch"]


def test_video_example_crnn_sees_motion_per_frame_models_do_not():
    import video_crnn

    scores = video_crnn.main()
    crnn, single, average = scores.values()
    assert crnn >= 0.95
    assert single < 0.65 and average < 0.65


def test_gunpoint_example_tcn_and_crnn_reach_the_published_level():
    pytest.importorskip("sktime")
    import gunpoint_classification

    # the example's GRU (about half of its time) is left out: nothing here
    # checks it, and the GRU is tested on its own in test_sequence.py
    scores, _ = gunpoint_classification.main(names=("TCNClassifier", "CRNNClassifier"))
    assert scores["TCNClassifier"] >= 0.97
    assert scores["CRNNClassifier"] >= 0.95


def test_text_example_shows_when_tfidf_wins_and_when_a_network_pays():
    pytest.importorskip("matplotlib")
    import text_classification  # runs on import, as the gallery runs it

    scores = text_classification.scores
    adjacent, apart = "'not good'", "'not really good'"
    svc = "TF-IDF (words, pairs) + LinearSVC"
    # word pairs read an adjacent negation; a bag of words cannot
    assert scores[adjacent, svc] >= 0.95
    assert scores[adjacent, "TF-IDF (words) + LogisticRegression"] < 0.7
    # with a word between them, the pairs are back at chance, the networks not
    assert scores[apart, svc] < 0.6
    assert scores[apart, "TextTokenizer + LSTMClassifier"] >= 0.95
    assert scores[apart, "TextCNNClassifier"] >= 0.85


def test_minirocket_example_reads_sktime_arrays_and_classifies_them():
    pytest.importorskip("sktime")
    pytest.importorskip("matplotlib")
    import minirocket_classification

    assert minirocket_classification.clf.data_format_ == "channels_first"
    assert minirocket_classification.score >= 0.95


def test_forecaster_example_beats_seasonal_naive_with_ordered_intervals():
    pytest.importorskip("sktime")
    pytest.importorskip("matplotlib")
    import minirocket_forecaster as example

    errors = example.errors
    assert errors["MiniRocketForecaster"] < errors["seasonal naive"]
    low80, high80 = example.intervals[0.8].to_numpy().T
    low95, high95 = example.intervals[0.95].to_numpy().T
    assert (low95 <= low80).all() and (high80 <= high95).all()
    assert (low80 <= example.forecast).all() and (example.forecast <= high80).all()
    assert example.covered[0.95] >= example.covered[0.8] >= 0.5


def test_augmentation_example_pays_with_more_epochs():
    pytest.importorskip("matplotlib")
    import image_augmentation

    scores = image_augmentation.scores
    # the default budget grows with augmentation: it pays there too
    assert scores["auto", "augmented"] > scores["auto", "plain"]
    assert scores[300, "augmented"] > scores[300, "plain"]
    assert scores[300, "augmented"] >= 0.95


def test_dask_example_runs_on_a_local_cluster():
    pytest.importorskip("distributed")
    import dask_grid_search

    search = dask_grid_search.main()
    assert search.best_score_ > 0.8


def test_interval_example_covers_and_only_learned_widths_follow_the_noise():
    pytest.importorskip("mapie")
    import forecast_intervals

    rows = forecast_intervals.main()
    for coverage, _, _ in rows.values():
        assert 0.85 <= coverage <= 0.95
    assert rows["quantile loss"][2] > 0.7 and rows["Gaussian loss"][2] > 0.7
    assert abs(rows["split conformal (MAPIE)"][2]) < 0.3  # one width for all days


def test_early_stopping_searches_drop_bad_candidates_early():
    import early_stopping_search

    results = early_stopping_search.main(parts=("halving", "optuna"))
    search, epochs, full = results["halving"]
    assert search.n_resources_ == [2, 4, 8]
    assert search.n_candidates_ == [6, 3, 2]  # the worse half dropped each round
    assert (epochs, full) == (6 * 2 + 3 * 4 + 2 * 8, 6 * 8)
    assert search.best_params_["max_epochs"] == 8
    assert search.best_params_["lr"] != 1e-5  # too slow to learn: dropped
    assert search.best_estimator_.n_iter_ == 8
    assert search.best_score_ > 0.6
    if "optuna" not in results:
        pytest.importorskip("optuna_integration")
    search, epochs, full = results["optuna"]
    pruned = [t for t in search.trials_ if t.state.name == "PRUNED"]
    complete = [t for t in search.trials_ if t.state.name == "COMPLETE"]
    assert len(pruned) >= 2
    # a pruned trial stopped before its last epoch; a complete one ran them all
    assert all(len(t.intermediate_values) < 8 for t in pruned)
    assert all(len(t.intermediate_values) == 8 for t in complete)
    assert epochs < full
    assert search.best_params_["lr"] > 1e-3
    assert search.best_score_ > 0.8


@pytest.mark.timeout(300)
def test_hyperband_search_drops_bad_candidates_on_a_local_cluster():
    import early_stopping_search as example

    reason = example.hyperband_unavailable()
    if reason is not None:
        pytest.skip(reason)
    search, epochs = example.hyperband(*example.digits())
    calls = search.cv_results_["partial_fit_calls"]
    # every call of partial_fit is one epoch: the longest-trained candidate
    # got max_iter of them, the others were dropped earlier
    assert max(calls) == example.EPOCHS and min(calls) < example.EPOCHS
    assert (
        epochs == sum(calls) < len(example.ParameterGrid(example.GRID)) * example.EPOCHS
    )
    assert search.best_params_["lr"] != 1e-5  # too slow to learn: dropped
    assert search.best_estimator_.n_iter_ == example.EPOCHS
    assert search.best_score_ > 0.6
