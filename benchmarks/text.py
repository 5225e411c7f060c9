"""Text classification on the two real sets in ../shared/data.

Rotten Tomatoes (fresh vs rotten snippets, 25 % stratified test split with
``random_state=0``) and Reuters R8 (the given split), each with a TF-IDF +
LinearSVC baseline measured in the same run and the sknets text models with
default hyperparameters on raw strings. Writes docs/results/text.md. A data set
whose file is absent is skipped with a message.
"""

import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import argparse  # noqa: E402
import time  # noqa: E402
from pathlib import Path

import pandas as pd  # noqa: E402
from _common import write_page  # noqa: E402
from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.svm import LinearSVC  # noqa: E402

from sknets import GRUClassifier, LSTMClassifier, TextCNNClassifier  # noqa: E402

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"

# Every model with its defaults on raw strings (its own TextTokenizer()), and
# the default LSTM with random initial token vectors instead of the default
# embeddings='corpus', to show what that initialisation brings.
MODELS = [
    (LSTMClassifier, {}),
    (GRUClassifier, {}),
    (TextCNNClassifier, {}),
    (LSTMClassifier, {"embeddings": None}),
]


def describe(cls, params):
    return f"{cls.__name__}({', '.join(f'{k}={v!r}' for k, v in params.items())})"


def make_model(cls, params):
    return cls(random_state=0, **params)


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
            "test documents, 8 topics). sknets models with their default "
            "hyperparameters, fitted on raw strings, `random_state=0`: the "
            "training budget follows the data (`max_epochs='auto'`), and the "
            "default `embeddings='corpus'` learns the initial token vectors from "
            "the training texts (PPMI + truncated SVD, no labels, included in the "
            "fit time); the last row draws them at random instead. The baseline "
            "is measured in the same run. Threads: torch uses every visible core, "
            "`OMP_WAIT_POLICY=PASSIVE`.",
            rows,
            "make bench",
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", default=DEFAULT_DATA)
    main(parser.parse_args().data_dir)
