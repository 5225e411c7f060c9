"""scikit-learn conventions: metadata routing of sample_weight, set_output."""

import numpy as np
import pandas as pd
import sklearn
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from sknets import CNNClassifier, TextTokenizer


def test_sample_weight_is_routed_through_a_pipeline():
    rng = np.random.RandomState(0)
    X, y = rng.rand(60, 8, 8), np.arange(60) % 2
    weights = np.where(np.arange(60) < 30, 0.1, 3.0)
    params = dict(max_epochs=3, random_state=0)
    direct = CNNClassifier(**params).fit(X, y, sample_weight=weights)
    unweighted = CNNClassifier(**params).fit(X, y)
    with sklearn.config_context(enable_metadata_routing=True):
        pipe = make_pipeline(
            FunctionTransformer(),
            CNNClassifier(**params).set_fit_request(sample_weight=True),
        )
        pipe.fit(X, y, sample_weight=weights)
    np.testing.assert_allclose(pipe.predict_proba(X), direct.predict_proba(X))
    assert not np.allclose(direct.predict_proba(X), unweighted.predict_proba(X))


def test_tokenizer_set_output_pandas():
    tokenizer = TextTokenizer(max_len=4).set_output(transform="pandas")
    out = tokenizer.fit_transform(["a b", "b c d"])
    assert isinstance(out, pd.DataFrame)
    assert list(out.columns) == list(tokenizer.get_feature_names_out())
    assert out.shape == (2, 4)
