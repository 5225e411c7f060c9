"""TextTokenizer and the text models: raw strings, token ids, embeddings."""

import pickle

import numpy as np
import pandas as pd
import pytest
from conftest import assert_clear_error
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.utils._param_validation import InvalidParameterError

from sknets import (
    GRUClassifier,
    LSTMClassifier,
    LSTMRegressor,
    TextCNNClassifier,
    TextCNNRegressor,
    TextTokenizer,
    load,
    save,
)
from sknets.text import corpus_embeddings

FAST = dict(max_epochs=15, random_state=0)
SMALL_RNN = dict(hidden_size=16, embedding_dim=16, **FAST)


def reviews(n, rng):
    """Short synthetic reviews; the label follows the sentiment word."""
    good = ["great", "superb", "lovely", "fine"]
    bad = ["awful", "boring", "dull", "poor"]
    filler = ["the", "film", "plot", "was", "acting", "really", "quite", "a", "story"]
    texts, labels = [], []
    for _ in range(n):
        label = rng.randint(2)
        words = list(rng.choice(filler, size=rng.randint(2, 9)))
        words.insert(rng.randint(len(words) + 1), rng.choice(good if label else bad))
        texts.append(" ".join(words))
        labels.append("pos" if label else "neg")
    return texts, np.array(labels)


@pytest.fixture(scope="module")
def review_data():
    return reviews(300, np.random.RandomState(0))


# -- the tokenizer --------------------------------------------------------
def test_tokenizer_builds_a_frequency_ordered_vocabulary():
    tok = TextTokenizer().fit(["b a b", "c b", "A"])
    assert tok.vocabulary_ == {"b": 2, "a": 3, "c": 4}
    assert tok.n_tokens_ == 5 and tok.max_len_ == 3
    np.testing.assert_array_equal(
        tok.transform(["a b zebra", "c", ""]), [[3, 2, 1], [4, 0, 0], [1, 0, 0]]
    )
    assert tok.inverse_transform(tok.transform(["a b zebra"])) == [["a", "b", "<unk>"]]
    assert list(tok.get_feature_names_out()) == [
        "texttokenizer_0",
        "texttokenizer_1",
        "texttokenizer_2",
    ]


def test_tokenizer_options():
    texts = ["ACGT acgt", "ggg"]
    assert TextTokenizer(analyzer="char").fit(texts).vocabulary_.keys() >= {
        "a",
        "c",
        "g",
        "t",
        " ",
    }
    assert "ACGT" in TextTokenizer(lowercase=False).fit(texts).vocabulary_
    tok = TextTokenizer(min_freq=2).fit(["x y y", "y z"])
    assert tok.vocabulary_ == {"y": 2}
    assert TextTokenizer(max_vocab=1).fit(["x y y"]).vocabulary_ == {"y": 2}
    tok = TextTokenizer(max_len=2, truncating="pre").fit(["a b c d"])
    np.testing.assert_array_equal(tok.transform(["a b c d"]), [[4, 5]])
    tok = TextTokenizer(stop_words="english").fit(["the cat and the dog"])
    assert set(tok.vocabulary_) == {"cat", "dog"}
    tok = TextTokenizer(vocabulary=["dog", "cat"]).fit(["cat bird"])
    assert tok.vocabulary_ == {"dog": 2, "cat": 3}
    np.testing.assert_array_equal(tok.transform(["cat bird"]), [[3, 1]])


def test_tokenizer_accepts_lists_arrays_and_series():
    texts = ["one two", "two three"]
    expected = TextTokenizer().fit_transform(texts)
    np.testing.assert_array_equal(
        TextTokenizer().fit_transform(np.array(texts)), expected
    )
    np.testing.assert_array_equal(
        TextTokenizer().fit_transform(pd.Series(texts)), expected
    )
    # one column of texts, as df[["review"]] or a ColumnTransformer selects it
    for column in (pd.DataFrame({"review": texts}), np.array(texts)[:, None]):
        np.testing.assert_array_equal(TextTokenizer().fit_transform(column), expected)


@pytest.mark.parametrize(
    "texts, error, match",
    [
        (["ok", 3], TypeError, "Text 1 of X is a int"),
        (["ok", b"bytes"], TypeError, r"is a bytes .*decode bytes first"),
        ([], ValueError, "empty collection of texts"),
        (["", "  "], ValueError, "All texts are empty"),
        (pd.Series(["ok", None]), ValueError, "Text 1 of X is missing"),
        (pd.Series(["ok", np.nan]), ValueError, r"fillna\(''\)"),
        ("just one string", TypeError, "got a single str"),
        (
            pd.DataFrame({"title": ["a b", "c"], "body": ["d", "e f"]}),
            ValueError,
            r"got an array of shape \(2, 2\); join several text columns",
        ),
    ],
)
def test_tokenizer_bad_input(texts, error, match):
    with pytest.raises(error, match=match) as excinfo:
        TextTokenizer().fit(texts)
    assert_clear_error(excinfo)


def test_empty_vocabulary_says_min_freq():
    with pytest.raises(ValueError, match="vocabulary is empty.*Lower min_freq"):
        TextTokenizer(min_freq=5).fit(["a b", "c"])


def test_embedding_matrix_is_aligned_with_ids():
    tok = TextTokenizer().fit(["cat dog dog"])
    vectors = {"cat": [1.0, 0.0], "dog": [0.0, 1.0], "emu": [5.0, 5.0]}
    matrix = tok.embedding_matrix(vectors)
    assert matrix.shape == (4, 2)
    np.testing.assert_array_equal(matrix[tok.vocabulary_["cat"]], [1.0, 0.0])
    np.testing.assert_array_equal(matrix[tok.vocabulary_["dog"]], [0.0, 1.0])
    np.testing.assert_array_equal(matrix[0], [0.0, 0.0])  # padding
    np.testing.assert_array_equal(matrix[1], [0.5, 0.5])  # unknown: the mean


# -- the models -----------------------------------------------------------
@pytest.mark.parametrize(
    "Model, params",
    [
        (LSTMClassifier, SMALL_RNN),
        (TextCNNClassifier, dict(num_filters=16, embedding_dim=16, **FAST)),
    ],
)
def test_pipeline_and_raw_strings_give_the_same_predictions(review_data, Model, params):
    texts, labels = review_data
    raw = Model(**params).fit(texts, labels)
    pipe = make_pipeline(TextTokenizer(), Model(**params)).fit(texts, labels)
    np.testing.assert_array_equal(raw.predict_proba(texts), pipe.predict_proba(texts))
    assert raw.input_kind_ == "text" and pipe[-1].input_kind_ == "tokens"
    assert raw.tokenizer_.vocabulary_ == pipe[0].vocabulary_
    assert raw.score(texts, labels) > 0.9
    column = pd.DataFrame({"review": texts})
    from_column = Model(**params).fit(column, labels)
    np.testing.assert_array_equal(
        from_column.predict_proba(column), raw.predict_proba(texts)
    )
    with pytest.raises(ValueError, match="join several text columns") as excinfo:
        Model(**params).fit(pd.concat([column, column], axis=1), labels)
    assert_clear_error(excinfo)


def test_text_models_learn_the_sentiment_word(review_data):
    texts, labels = review_data
    test_texts, test_labels = reviews(200, np.random.RandomState(1))
    for model in [
        LSTMClassifier(max_epochs=10, random_state=0),
        GRUClassifier(max_epochs=10, random_state=0),
        TextCNNClassifier(random_state=0),
    ]:
        model.fit(pd.Series(texts), labels)
        assert model.score(test_texts, test_labels) > 0.95, type(model).__name__


def test_character_model_finds_a_dna_motif():
    rng = np.random.RandomState(0)

    def dna(n):
        seqs, y = [], rng.randint(0, 2, size=n)
        for label in y:
            s = "".join(rng.choice(list("ACGT"), size=rng.randint(30, 61)))
            if label:
                i = rng.randint(0, len(s) - 6)
                s = s[:i] + "TATAAA" + s[i + 6 :]
            seqs.append(s)
        return seqs, y

    X, y = dna(400)
    X_test, y_test = dna(200)
    clf = TextCNNClassifier(
        tokenizer=TextTokenizer(analyzer="char"),
        kernel_sizes=(6,),
        num_filters=32,
        embedding_dim=8,
        max_epochs=40,
        random_state=0,
    ).fit(X, y)
    assert set(clf.tokenizer_.vocabulary_) == {"a", "c", "g", "t"}
    assert clf.score(X_test, y_test) > 0.9


def test_clone_pickle_and_grid_search_over_tokenizer_and_model(review_data):
    texts, labels = review_data
    pipe = make_pipeline(TextTokenizer(), LSTMClassifier(**SMALL_RNN))
    grid = GridSearchCV(
        pipe,
        {"texttokenizer__max_len": [3, 10], "lstmclassifier__hidden_size": [8, 16]},
        cv=2,
    ).fit(texts, labels)
    assert len(grid.cv_results_["params"]) == 4
    # max_len=3 cuts most sentiment words: the search must prefer 10
    assert grid.best_params_["texttokenizer__max_len"] == 10
    fitted = grid.best_estimator_
    restored = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(
        restored.predict_proba(texts), fitted.predict_proba(texts)
    )
    unfitted = clone(fitted)
    assert not hasattr(unfitted[-1], "net_")


def test_padding_is_never_read_by_text_models(review_data):
    texts, labels = review_data
    for model in [
        LSTMClassifier(**SMALL_RNN),
        TextCNNClassifier(num_filters=8, embedding_dim=8, **FAST),
    ]:
        model.fit(texts, labels)
        short = "great film"
        long = " ".join(["the plot was really quite a story"] * 6)
        alone = model.predict_proba([short])
        batched = model.predict_proba([short, long])[:1]
        np.testing.assert_allclose(alone, batched, rtol=0, atol=1e-6)


def test_unknown_ids_at_predict_read_as_unknown(review_data):
    texts, labels = review_data
    tok = TextTokenizer().fit(texts)
    ids = tok.transform(texts)
    clf = LSTMClassifier(**SMALL_RNN).fit(ids, labels)
    assert clf.n_tokens_ == ids.max() + 1
    wild = ids[:5].copy()
    wild[:, 0] = 10_000
    as_unknown = wild.copy()
    as_unknown[:, 0] = 1
    np.testing.assert_array_equal(
        clf.predict_proba(wild), clf.predict_proba(as_unknown)
    )
    with pytest.raises(ValueError, match="negative integers, which are not token ids"):
        clf.predict(-ids[:2])
    with pytest.raises(ValueError, match="fitted on token ids"):
        clf.predict(np.random.RandomState(0).normal(size=(2, ids.shape[1], 3)))


def test_text_model_rejects_bad_text(review_data):
    texts, labels = review_data
    with pytest.raises(TypeError, match="Text 2 of X is a float"):
        LSTMClassifier(**SMALL_RNN).fit(texts[:2] + [1.5] + texts[3:], labels)
    with pytest.raises(ValueError, match="Text 0 of X is missing"):
        LSTMClassifier(**SMALL_RNN).fit(pd.Series([None] + texts[1:]), labels)
    with pytest.raises(ValueError, match="All texts are empty"):
        LSTMClassifier(**SMALL_RNN).fit([""] * len(labels), labels)
    numeric = LSTMClassifier(**SMALL_RNN).fit(np.random.rand(20, 5), np.arange(20) % 2)
    with pytest.raises(ValueError, match="not on raw text"):
        numeric.predict(["some text"])


def test_pretrained_embeddings_frozen_or_fine_tuned(review_data):
    texts, labels = review_data
    tok = TextTokenizer().fit(texts)
    rng = np.random.RandomState(0)
    vectors = {word: rng.normal(size=12) for word in tok.vocabulary_}
    matrix = tok.embedding_matrix(vectors)
    frozen = make_pipeline(
        TextTokenizer(),
        LSTMClassifier(embeddings=matrix, freeze_embeddings=True, **SMALL_RNN),
    ).fit(texts, labels)
    weight = frozen[-1].net_.module_.embedding.weight.detach().numpy()
    np.testing.assert_allclose(weight[1:], matrix[1:], atol=1e-6)
    assert weight.shape == (tok.n_tokens_, 12)
    tuned = LSTMClassifier(embeddings=vectors, freeze_embeddings=False, **SMALL_RNN)
    tuned.fit(texts, labels)
    tuned_weight = tuned.net_.module_.embedding.weight.detach().numpy()
    assert not np.allclose(tuned_weight[2:], matrix[2:])
    np.testing.assert_array_equal(tuned_weight[0], 0.0)  # padding stays zero
    with pytest.raises(ValueError, match="embedding_matrix"):
        make_pipeline(
            TextTokenizer(), LSTMClassifier(embeddings=vectors, **SMALL_RNN)
        ).fit(texts, labels)
    with pytest.raises(ValueError, match="do not cover the input"):
        LSTMClassifier(embeddings=matrix[:5], **SMALL_RNN).fit(texts, labels)


def test_corpus_embeddings_place_words_of_shared_contexts_together():
    # animals and vehicles never share a text, but each group shares contexts
    rng = np.random.RandomState(0)
    animals, vehicles = ["cat", "dog", "horse"], ["car", "truck", "bus"]
    texts = [
        f"the {rng.choice(animals)} ate and slept in the barn"
        if rng.rand() < 0.5
        else f"a {rng.choice(vehicles)} drove on the road with fuel"
        for _ in range(300)
    ]
    tok = TextTokenizer().fit(texts)
    ids = tok.transform(texts)
    vectors = corpus_embeddings(ids, tok.n_tokens_, 8)
    assert vectors.shape == (tok.n_tokens_, 8) and vectors.dtype == np.float32
    np.testing.assert_array_equal(vectors[0], 0.0)  # padding
    np.testing.assert_allclose(np.linalg.norm(vectors[2:], axis=1), 1.0, atol=1e-5)
    v = {word: vectors[tok.vocabulary_[word]] for word in animals + vehicles}
    within = min(v["cat"] @ v["dog"], v["car"] @ v["truck"], v["horse"] @ v["cat"])
    across = max(abs(v[a] @ v[b]) for a in animals for b in vehicles)
    assert within > 0.9 and across < 0.5, (within, across)
    # a vocabulary smaller than the requested size: exact SVD, zero columns after
    small = corpus_embeddings(ids, tok.n_tokens_, 64)
    assert small.shape == (tok.n_tokens_, 64)
    np.testing.assert_array_equal(small[:, tok.n_tokens_ :], 0.0)
    # one token per text: nothing co-occurs, nothing is learned
    np.testing.assert_array_equal(corpus_embeddings(ids[:, :1], tok.n_tokens_, 4), 0)


@pytest.mark.parametrize("Model", [LSTMClassifier, TextCNNClassifier])
def test_embeddings_corpus_initialises_from_the_training_texts(
    review_data, Model, tmp_path
):
    texts, labels = review_data
    params = dict(embedding_dim=8, max_epochs=3, random_state=0)
    clf = Model(embeddings="corpus", freeze_embeddings=True, **params)
    clf.fit(texts, labels)
    expected = corpus_embeddings(clf.tokenizer_.transform(texts), clf.n_tokens_, 8)
    weight = clf.net_.module_.embedding.weight.detach().numpy()
    np.testing.assert_allclose(weight, expected, atol=1e-6)
    # a saved model rebuilds with its own (frozen) vectors
    save(clf, tmp_path / "model.sknets")
    loaded = load(tmp_path / "model.sknets")
    np.testing.assert_array_equal(loaded.predict_proba(texts), clf.predict_proba(texts))
    assert not loaded.net_.module_.embedding.weight.requires_grad
    # the same vectors from token ids in a pipeline: the same model
    pipe = make_pipeline(
        TextTokenizer(), Model(embeddings="corpus", freeze_embeddings=True, **params)
    ).fit(texts, labels)
    np.testing.assert_array_equal(pipe.predict_proba(texts), clf.predict_proba(texts))
    # fine-tuned: the training moves them
    tuned = Model(embeddings="corpus", **params).fit(texts, labels)
    assert not np.allclose(tuned.net_.module_.embedding.weight.detach(), expected)
    with pytest.raises(InvalidParameterError, match="embeddings"):
        Model(embeddings="glove").fit(texts, labels)


def test_text_regression():
    rng = np.random.RandomState(0)
    words = ["one", "two", "three", "four", "five"]
    texts, y = [], []
    for _ in range(200):
        k = rng.randint(5)
        texts.append(f"rated {words[k]} stars")
        y.append(k + 1.0)
    for model in [
        LSTMRegressor(max_epochs=30, random_state=0),
        TextCNNRegressor(max_epochs=30, random_state=0),
    ]:
        model.fit(texts, y)
        assert model.score(texts, y) > 0.9, type(model).__name__
