"""Text classification on the two real sets in ../shared/data.

Rotten Tomatoes (fresh vs rotten snippets, 25 % stratified test split with
``random_state=0``) and Reuters R8 (the given split), each with a TF-IDF +
LinearSVC baseline measured in the same run and the sknets text models with
default hyperparameters on raw strings. Writes docs/results/text.md. A data set
whose file is absent is skipped with a message.
"""

import argparse
import time
from pathlib import Path

import pandas as pd
from _common import write_page
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.svm import LinearSVC

from sknets import GRUClassifier, LSTMClassifier, TextCNNClassifier, TextTokenizer

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"

# Text settings (the recurrent defaults are tuned for small time-series sets):
# a few epochs, max-pooled states, dropout, tokens seen at least twice, token
# vectors learned from the training texts (embeddings='corpus'). The rows with
# random token vectors show what that initialisation brings.
RNN_TEXT = dict(summary="max", dropout=0.5, max_epochs=4)
CNN_TEXT = dict(max_epochs=4)
MODELS = [
    (cls, dict(embeddings=embeddings, **settings))
    for embeddings in ("corpus", None)
    for cls, settings in (
        (LSTMClassifier, RNN_TEXT),
        (GRUClassifier, RNN_TEXT),
        (TextCNNClassifier, CNN_TEXT),
    )
]


def describe(cls, params):
    return f"{cls.__name__}({', '.join(f'{k}={v!r}' for k, v in params.items())})"


def make_model(cls, params):
    tokenizer = TextTokenizer(min_freq=2, max_len=256)
    return cls(tokenizer=tokenizer, random_state=0, **params)


def rotten_tomatoes(data_dir):
    rt = pd.read_csv(data_dir / "rotten_tomatoes.csv.bz2")
    rt = rt[rt.category != "plot"]
    X_train, X_test, y_train, y_test = train_test_split(
        rt.text.to_numpy(),
        rt.category.to_numpy(),
        test_size=0.25,
        stratify=rt.category,
        random_state=0,
    )
    baseline = make_pipeline(
        TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True), LinearSVC()
    )
    return X_train, X_test, y_train, y_test, baseline


def reuters_r8(data_dir):
    read = lambda name: pd.read_csv(data_dir / name, sep="\t", skiprows=[1, 2])  # noqa: E731
    train, test = read("reuters-r8-train.tab.bz2"), read("reuters-r8-test.tab.bz2")
    baseline = make_pipeline(TfidfVectorizer(sublinear_tf=True), LinearSVC())
    return (
        train.Text.to_numpy(),
        test.Text.to_numpy(),
        train.Category.to_numpy(),
        test.Category.to_numpy(),
        baseline,
    )


SETS = {
    "Rotten Tomatoes": (rotten_tomatoes, "rotten_tomatoes.csv.bz2"),
    "Reuters R8": (reuters_r8, "reuters-r8-train.tab.bz2"),
}


def main(data_dir=DEFAULT_DATA, sets=None):
    """Run every data set in ``sets`` (default: all)."""
    data_dir = Path(data_dir)
    rows = []
    for name, (load, filename) in SETS.items():
        if sets is not None and name not in sets:
            continue
        if not (data_dir / filename).exists():
            print(f"text: {data_dir / filename} not found; {name} skipped")
            continue
        X_train, X_test, y_train, y_test, baseline = load(data_dir)
        models = {"TF-IDF + LinearSVC (baseline)": lambda b=baseline: b}
        models.update({describe(*m): lambda m=m: make_model(*m) for m in MODELS})
        base_acc = None
        for model_name, make in models.items():
            print(f"{name}: {model_name} ...", flush=True)
            model = make()
            start = time.perf_counter()
            model.fit(X_train, y_train)
            elapsed = time.perf_counter() - start
            acc = model.score(X_test, y_test)
            base_acc = acc if base_acc is None else base_acc
            print(f"  accuracy {acc:.3f}, fit {elapsed:.1f} s", flush=True)
            rows.append(
                {
                    "data set": name,
                    "model": model_name,
                    "test accuracy": f"{acc:.3f}",
                    "ratio to baseline": f"{acc / base_acc:.3f}",
                    "fit time (s)": f"{elapsed:.1f}",
                }
            )
    if rows:
        write_page(
            "text",
            "Text classification",
            "Rotten Tomatoes (12,808 snippets, fresh vs rotten, 25 % stratified "
            "test split, `random_state=0`) and Reuters R8 (5,485 train / 2,189 "
            "test documents, 8 topics). sknets models fitted on raw strings, with "
            "the settings in the model column, "
            "`TextTokenizer(min_freq=2, max_len=256)` and `random_state=0`; "
            "`embeddings='corpus'` learns the initial token vectors from the "
            "training texts (PPMI + truncated SVD, no labels, included in the fit "
            "time), None draws them at random. The baseline is measured in the "
            "same run.",
            rows,
            "make bench",
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", default=DEFAULT_DATA)
    main(parser.parse_args().data_dir)
