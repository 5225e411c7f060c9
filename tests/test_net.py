"""sknets' skorch subclass: the skorch internals it relies on are the ones
reviewed.

``sknets._net.Net`` overrides some of skorch's private methods and copies
parts of its epoch loop. The fingerprints below are those of skorch 1.4.0,
whose code the overrides were written against. When an upgrade of skorch
changes one of these methods, this test fails: read the new code, adapt
``sknets/_net.py`` (or ``_callbacks.py``) if needed, then record the new
fingerprints (``python tests/test_net.py`` prints them) and move the skorch
bound in ``pyproject.toml``.
"""

import hashlib
import inspect
import textwrap

import skorch

from sknets._net import SKORCH_INTERNALS

REVIEWED = {
    "NeuralNet.infer": "95141fcab54daff1",
    "NeuralNet.run_single_epoch": "3bc9c94218b34f9d",
    "NeuralNet.train_step": "723f24ca815bb9cf",
    "NeuralNet.train_step_single": "331e0eed8044d99f",
    "NeuralNet._step_optimizer": "233b2297935b28db",
    "NeuralNet._zero_grad_optimizer": "c0f135f772a762d7",
    "NeuralNet.get_train_step_accumulator": "d0e4b72f274ab27b",
    "NeuralNet.get_all_learnable_params": "fbe6e32289883d23",
    "NeuralNet._default_callbacks": "8f3b89c54007f3e7",
    "NeuralNet.get_split_datasets": "c0329a14037bc87f",
    "NeuralNet.get_iterator": "87956fa61b10bd60",
    "NeuralNet._set_training": "fb99af7235be7027",
    "NeuralNet.get_loss": "8e2d2836b06e6b77",
    "NeuralNet.__getstate__": "deeb525b616911b9",
    "NeuralNet.partial_fit": "a0cb672ae81f2ebc",
    "NeuralNet.fit_loop": "f769ed15460ad9f3",
    "callbacks.PrintLog.on_epoch_end": "9726f130852aac2c",
    "callbacks.EarlyStopping.on_epoch_end": "7f6b12ebdb84cd89",
    "callbacks.EarlyStopping.on_train_end": "d0e410334e04b759",
    "callbacks.PassthroughScoring.on_epoch_end": "62cdb362f7ab1bb0",
    "callbacks.Callback.on_batch_begin": "e148225d3d8ed9a5",
    "callbacks.Callback.on_batch_end": "35bfa3ceb99a4476",
    "callbacks.Callback.on_grad_computed": "2c9d32ff35e4b29e",
}


def fingerprint(name):
    """A short hash of the source (signature included) of skorch's ``name``."""
    obj = skorch
    for part in name.split("."):
        obj = getattr(obj, part)
    if isinstance(obj, property):
        obj = obj.fget
    source = textwrap.dedent(inspect.getsource(obj))
    return hashlib.sha256(source.encode()).hexdigest()[:16]


def changed_internals():
    return sorted(
        name for name in SKORCH_INTERNALS if fingerprint(name) != REVIEWED.get(name)
    )


def test_skorch_internals_are_the_reviewed_ones():
    assert set(REVIEWED) == set(SKORCH_INTERNALS)
    changed = changed_internals()
    assert not changed, (
        f"skorch {skorch.__version__} changed {changed}, which sknets overrides "
        "or copies; review them (see this file's docstring)."
    )


def test_a_changed_skorch_method_is_reported(monkeypatch):
    def get_loss(self, y_pred, y_true, X=None, training=False, reduction="mean"):
        return super(skorch.NeuralNet, self).get_loss(y_pred, y_true)

    monkeypatch.setattr(skorch.NeuralNet, "get_loss", get_loss)
    assert changed_internals() == ["NeuralNet.get_loss"]


if __name__ == "__main__":
    for name in SKORCH_INTERNALS:
        print(f'    "{name}": "{fingerprint(name)}",')
