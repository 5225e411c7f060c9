"""Text classification from raw strings, with the tokenizer in the pipeline.
=========================================================================

A small sentiment set is made in the example: short reviews built from
positive and negative phrases, with negations ("not good") that flip a
phrase, so that word order matters. ``make_pipeline(TextTokenizer(),
LSTMClassifier())`` learns from the raw strings, and ``GridSearchCV``
searches a tokenizer parameter and a model parameter together. A
``TextCNNClassifier`` (Kim 2014) and a TF-IDF + logistic regression baseline
are fitted on the same data.
"""

import time

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline

from sknets import LSTMClassifier, TextCNNClassifier, TextTokenizer

GOOD = ["good", "great", "fine", "lovely", "brilliant"]
BAD = ["bad", "dull", "awful", "boring", "weak"]
THINGS = ["film", "plot", "acting", "music", "ending", "cast"]
FILLER = ["the", "really", "was", "and", "honestly", "overall", "i", "think"]


def make_reviews(n, rng):
    """Reviews of 3 phrases; a phrase is positive or negative, negated with
    'not' half of the time. The label is the majority sentiment."""
    texts, labels = [], []
    for _ in range(n):
        total, words = 0, []
        for _ in range(3):
            positive = rng.rand() < 0.5
            negated = rng.rand() < 0.5
            word = rng.choice(GOOD if positive else BAD)
            words += list(rng.choice(FILLER, size=rng.randint(0, 3)))
            words += ["the", rng.choice(THINGS), "was"]
            words += (["not"] if negated else []) + [word]
            total += 1 if positive != negated else -1
        texts.append(" ".join(words))
        labels.append(int(total > 0))
    return texts, np.array(labels)


def main(random_state=0):
    rng = np.random.RandomState(random_state)
    X_train, y_train = make_reviews(1200, rng)
    X_test, y_test = make_reviews(500, rng)
    scores = {}

    start = time.perf_counter()
    grid = GridSearchCV(
        make_pipeline(
            TextTokenizer(),
            LSTMClassifier(max_epochs=15, random_state=random_state),
        ),
        {"texttokenizer__max_len": [12, None], "lstmclassifier__hidden_size": [32]},
        cv=2,
    ).fit(X_train, y_train)
    scores["TextTokenizer + LSTMClassifier"] = grid.score(X_test, y_test)
    print(f"grid search: {grid.best_params_} in {time.perf_counter() - start:.0f} s")

    textcnn = TextCNNClassifier(max_epochs=15, random_state=random_state)
    scores["TextCNNClassifier (raw strings)"] = textcnn.fit(X_train, y_train).score(
        X_test, y_test
    )
    baseline = make_pipeline(TfidfVectorizer(), LogisticRegression())
    scores["TF-IDF + LogisticRegression"] = baseline.fit(X_train, y_train).score(
        X_test, y_test
    )
    for name, score in scores.items():
        print(f"{name:32s} test accuracy {score:.3f}")
    return scores


if __name__ == "__main__":
    main()
