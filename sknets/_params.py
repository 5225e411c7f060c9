"""Hyperparameters and fitted attributes, each declared once.

A :class:`Param` holds everything sknets knows about one hyperparameter: its
name, its default, its scikit-learn constraint and its docstring text. From
the declarations of an estimator class (its family, its input kinds, the
training parameters shared by every estimator and its target kind),
:func:`make_init` builds the explicit ``__init__`` signature that
scikit-learn's ``get_params`` reads, the class gets its
``_parameter_constraints``, and :func:`render_doc` writes the Parameters and
Attributes sections of its docstring. A default is written in one place, so
the signature, the validation and the documentation cannot disagree;
``tests/test_common.py`` checks it for every public estimator.

The parameters shared by every estimator (training) are declared here; a
family declares its own in its estimator file, an input kind in its adapter
(:mod:`sknets._inputs`), a target kind in :mod:`sknets._targets`.
"""

from __future__ import annotations

import dataclasses
import inspect
import os
import textwrap
from numbers import Real
from typing import Any

import torch
from sklearn.utils._param_validation import HasMethods, StrOptions

from ._constraints import (
    FLOAT32_MAX,
    NON_NEGATIVE_INT,
    POSITIVE_INT,
    POSITIVE_REAL,
    Range,
)

__all__ = [
    "Attribute",
    "Param",
    "make_init",
    "module_settings",
    "render_doc",
]


OPTIMIZERS = ("adam", "adamw", "sgd")


@dataclasses.dataclass(frozen=True)
class Param:
    """One hyperparameter: name, default, constraints and doc text.

    ``type`` is the numpydoc type text (``"int"``, ``"{'max', 'avg'}"``);
    ``doc`` the description, written as it reads in the docstring (it is
    dedented). The docstring line ``name : type, default=...`` is generated
    from ``default``, so it always tells the default of the signature.
    """

    name: str
    default: Any
    constraints: list
    type: str
    doc: str
    #: a training setting that a continued fit (warm_start, partial_fit)
    #: applies; a change of any other parameter needs a new fit
    warm: bool = False
    #: what the parameter needs to act (a key of ``USED_WHEN``): a fit that
    #: does not meet it warns when the parameter is not at its default
    used_when: str | None = None
    #: ``convert(value, name)``: the value as the module takes it (a tuple
    #: of ints for ``channels``), or a ValueError naming the parameter
    convert: Any = None

    def value(self, estimator):
        """The parameter's value on ``estimator``, as the module takes it."""
        value = getattr(estimator, self.name)
        return value if self.convert is None else self.convert(value, self.name)

    def render(self, budget=None, untrained=None) -> str:
        description = textwrap.dedent(self.doc).strip("\n")
        if untrained is not None and self.name == "max_epochs":
            description += (
                f" With 'auto', the fit trains no epoch {untrained}; an integer "
                "trains the head by gradient steps from that solution instead."
            )
        elif untrained is not None and self.used_when == "epochs":
            description += (
                " Not used where the fit trains no epoch: with "
                f"``max_epochs='auto'``, {untrained}."
            )
        if budget is not None:  # the family's numbers in the training budget text
            for key, value in dataclasses.asdict(budget).items():
                if value is not None:
                    text = f"{value:,}"
                    description = description.replace("{" + key + "}", text)
            description = description.replace("{rule}", budget.describe())
            description = description.replace("{cap}", budget.describe_cap())
        header = f"{self.name} : {self.type}, default={self.default!r}"
        return header + "\n" + textwrap.indent(description, "    ")


@dataclasses.dataclass(frozen=True)
class Attribute:
    """One fitted attribute (or a group of them) and its doc text."""

    name: str
    type: str
    doc: str

    def render(self) -> str:
        description = textwrap.dedent(self.doc).strip("\n")
        return f"{self.name} : {self.type}\n" + textwrap.indent(description, "    ")


def make_init(params):
    """An ``__init__`` that only stores its keyword arguments, with the
    explicit signature of ``params`` (scikit-learn reads the parameter names
    and defaults from it; positional use follows the declaration order)."""
    signature = inspect.Signature(
        [inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
        + [
            inspect.Parameter(
                p.name, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=p.default
            )
            for p in params
        ]
    )

    def __init__(self, *args, **kwargs):
        bound = signature.bind(self, *args, **kwargs)
        bound.apply_defaults()
        for name, value in bound.arguments.items():
            if name != "self":
                setattr(self, name, value)

    __init__.__signature__ = signature
    return __init__


def render_doc(doc, params, attributes, budget=None, untrained=None):
    """Fill the ``{parameters}`` and ``{attributes}`` placeholders of a class
    docstring (at the 4-space indentation of its sections). The estimator's
    own parameters (family, input, target) come first; the training settings
    every estimator shares (``TRAINING`` and ``module``) follow under Other
    Parameters, as numpydoc names the parameters most calls leave alone.
    ``untrained`` says when a fit of the family trains no epoch (None: it
    always trains). None (``python -OO`` strips docstrings) stays None."""
    if doc is None:
        return None
    shared = {p.name for p in TRAINING} | {MODULE.name}
    own = [p.render(budget, untrained) for p in params if p.name not in shared]
    training = [p.render(budget, untrained) for p in params if p.name in shared]
    parameters = "\n\n".join(own)
    if training:
        parameters += "\n\nOther Parameters\n----------------\n" + "\n\n".join(training)
    sections = {
        "{parameters}": parameters,
        "{attributes}": "\n\n".join(a.render() for a in attributes),
    }
    for placeholder, text in sections.items():
        indented = text.replace("\n", "\n    ").replace("\n    \n", "\n\n")
        doc = doc.replace(placeholder, indented)
    return doc


def merge(*groups):
    """Declarations in order, the first of each name kept."""
    seen, merged = set(), []
    for group in groups:
        for item in group:
            if item.name not in seen:
                seen.add(item.name)
                merged.append(item)
    return tuple(merged)


# -- shared by every estimator ----------------------------------------------

MODULE = Param(
    "module",
    None,
    [torch.nn.Module, type, None],
    "torch.nn.Module class or instance, or None",
    """
    Your own network instead of the built-in one; the architecture
    parameters above are then ignored. A class is called with keyword
    arguments that describe the input and ``n_outputs`` (see the user
    guide): ``in_channels`` for images; ``input_size`` for series;
    ``input_size``, ``vocab_size``, ``embedding_dim``, ``embeddings`` and
    ``freeze_embeddings`` for token ids and text; ``input_size`` and
    ``frame_shape`` for image sequences. An instance is used as it is (and
    copied by ``clone`` and ``fit``). Its ``forward`` takes the batch (images
    (n, C, H, W); series (n, T, F); token ids (n, T)) and, for sequences of
    different lengths, ``lengths``, and returns (n, n_outputs) logits or
    values. :class:`sknets.modules.SequenceModule` gives a sequence module
    padding masks and summaries.""",
)

TRAINING = (
    Param(
        "max_epochs",
        "auto",
        [POSITIVE_INT, StrOptions({"auto"})],
        "int or 'auto'",
        """
        Number of passes over the training data. 'auto' follows the size of the
        data: {rule}, at most {cap} and at least 3, so that a small data set
        gets many epochs and a large one a few passes, in time proportional to
        its size. The number used is ``max_epochs_``. With early stopping,
        training may stop earlier.""",
    ),
    Param(
        "batch_size",
        "auto",
        [POSITIVE_INT, StrOptions({"auto"})],
        "int or 'auto'",
        """
        Number of samples per gradient step. 'auto' is {batch_size} as long as an
        epoch holds at most 100 batches, then grows with the data (the power of
        two nearest to 1 % of the training samples, at most 512). The number
        used is ``batch_size_``. A last batch of a single sample is merged into
        the previous one.""",
        used_when="epochs",
    ),
    Param(
        "predict_batch_size",
        "auto",
        [POSITIVE_INT, StrOptions({"auto"})],
        "int or 'auto'",
        """
        Number of samples per batch in ``predict``, ``predict_proba`` and
        ``transform``; it changes the speed and memory of a prediction, not its
        result. 'auto' chooses for throughput on the CPU: 1,024 samples, fewer
        for large samples (at most ``2**19`` input values per batch, and for the
        recurrent families at most ``2**21`` values of the recurrent layer's
        outputs), never fewer than ``batch_size_``. On a GPU a larger batch is
        often faster.""",
    ),
    Param(
        "lr",
        1e-3,
        [Range(Real, 0, FLOAT32_MAX, closed="neither")],
        "float",
        "Learning rate of the optimizer.",
        used_when="epochs",
    ),
    Param(
        "optimizer",
        "adam",
        [StrOptions(set(OPTIMIZERS)), callable],
        "{'adam', 'adamw', 'sgd'} or torch optimizer class",
        """
        Optimizer. 'sgd' is SGD with Nesterov momentum 0.9. A class (for example
        ``torch.optim.RMSprop``) is called as ``optimizer(params, lr=lr,
        weight_decay=weight_decay)``.""",
        used_when="epochs",
    ),
    Param(
        "weight_decay",
        0.0,
        [Range(Real, 0, FLOAT32_MAX, closed="left")],
        "float",
        "L2 penalty (decoupled for 'adamw').",
        used_when="epochs",
    ),
    Param(
        "lr_schedule",
        "constant",
        [StrOptions({"constant", "cosine"})],
        "{'constant', 'cosine'}",
        """
        'cosine' anneals the learning rate from ``lr`` to zero over ``max_epochs``
        (a cosine curve, one cycle; a fit continued with ``warm_start`` runs a
        new cycle from ``lr``, ``partial_fit`` goes on along it); 'constant'
        keeps ``lr``.""",
        used_when="epochs",
    ),
    Param(
        "early_stopping",
        "auto",
        ["boolean", StrOptions({"auto"})],
        "bool or 'auto'",
        """
        Whether to hold out ``validation_fraction`` of the training data (drawn
        at random, stratified for classifiers, or the last part in time order:
        ``validation_split``) and stop when its loss has not improved for
        ``n_iter_no_change`` epochs. The weights of the best epoch are restored.
        When False, all the data is used for training and nothing is held out.
        'auto' turns it on for 10,000 samples or more, as scikit-learn's
        ``HistGradientBoostingClassifier`` does (``early_stopping_``).""",
    ),
    Param(
        "validation_fraction",
        0.1,
        [Range(Real, 0, 1, closed="neither")],
        "float",
        "Fraction of the training data held out when ``early_stopping=True``.",
        used_when="early_stopping",
    ),
    Param(
        "validation_split",
        "random",
        [StrOptions({"random", "last"})],
        "{'random', 'last'}",
        """
        Which part of the training data early stopping holds out: a random
        draw (stratified for classifiers), or the last ``validation_fraction``
        of the samples in the order given, for data in time order (the
        windows of :func:`sknets.make_windows`), so that the model is
        validated on what comes after what it trained on, as a forecast is
        used.""",
        used_when="early_stopping",
    ),
    Param(
        "validation_gap",
        0,
        [NON_NEGATIVE_INT],
        "int",
        """
        With ``validation_split='last'``, samples left out between the
        training part and the validation part, as ``TimeSeriesSplit(gap=...)``
        does: windows of ``make_windows(series, window, horizon)`` (``step=1``)
        overlap the next ``window + horizon - 1`` windows, so that gap keeps
        every validation window from sharing a value with a training window.""",
        used_when="early_stopping",
    ),
    Param(
        "n_iter_no_change",
        10,
        [POSITIVE_INT],
        "int",
        """
        Epochs without improvement of the validation loss (or of the score, with
        ``scoring``) before training stops, when ``early_stopping=True``.""",
        used_when="early_stopping",
    ),
    Param(
        "scoring",
        "loss",
        [StrOptions({"loss"}), str, callable],
        "str, callable or 'loss'",
        """
        What early stopping watches on the validation part, as in
        ``HistGradientBoostingClassifier``: 'loss', the loss trained on, or a
        scikit-learn scorer, a name (``'f1_macro'``, ``'roc_auc'``,
        ``'neg_mean_absolute_error'``, ...) or a callable
        ``scorer(estimator, X, y)``, computed on the validation part after each
        epoch (``validation_scores_``); training stops after
        ``n_iter_no_change`` epochs without a higher score, and the weights of
        the epoch of the best score are kept. Unused without early stopping.""",
        used_when="early_stopping",
    ),
    Param(
        "device",
        "auto",
        [str, torch.device],
        "str",
        """
        Torch device to train and predict on. 'auto' uses CUDA when it is
        available and the CPU otherwise; 'cpu', 'cuda' or 'cuda:1' force one.""",
    ),
    Param(
        "mixed_precision",
        None,
        [StrOptions({"bf16", "fp16"}), None],
        "{'bf16', 'fp16'} or None",
        """
        Run the forward passes of training and prediction under
        ``torch.autocast`` in bfloat16 ('bf16') or float16 ('fp16'); the weights,
        the optimizer and the loss stay in float32. 'fp16' also scales the loss
        (``torch.amp.GradScaler``) so that small gradients do not vanish. Meant for
        GPUs with tensor cores (bf16 on Ampere or newer). On a CPU it works, but
        without native low-precision arithmetic it gains nothing: 'bf16' runs
        about as fast as float32, and 'fp16' many times slower (fit warns about
        it; see sknets' CPU benchmark, docs/results/speed.md). None trains in
        float32.""",
    ),
    Param(
        "random_state",
        None,
        ["random_state"],
        "int, RandomState instance or None",
        """
        Seeds the weight initialisation, dropout and the shuffling of batches.
        With an int, two fits on the CPU give identical predictions. The global
        random state of torch and numpy is left as it was.""",
    ),
    Param(
        "verbose",
        0,
        ["verbose"],
        "int",
        """
        0 is silent (the right setting inside a grid search); 1 prints one line
        per epoch: training loss, and with ``early_stopping`` the validation loss
        and validation score (accuracy, or R^2 for regressors), learning rate and
        time; 2 adds a progress bar over the batches of each epoch (tqdm).""",
    ),
    Param(
        "callbacks",
        None,
        [list, None],
        "list of skorch callbacks or None",
        """
        Extra skorch callbacks, added to the ones sknets sets up. They are cloned
        at ``fit``, so the objects passed here are never modified.""",
    ),
    Param(
        "warm_start",
        False,
        ["boolean"],
        "bool",
        """
        When True and the estimator is already fitted, ``fit`` continues training
        from the fitted weights instead of starting again.""",
    ),
    Param(
        "checkpoint_dir",
        None,
        [str, os.PathLike, None],
        "str, path or None",
        """
        Directory where the estimator is written with :func:`sknets.save` after
        every epoch: ``last.sknets`` (the last completed epoch) and
        ``best.sknets`` (the lowest validation loss with ``early_stopping``, else
        the lowest training loss). After a crash,
        ``sknets.load(dir + "/last.sknets").set_params(warm_start=True).fit(X, y)``
        resumes training (with a fresh optimizer state: the files hold weights,
        not the optimizer's moments). The ``callbacks`` parameter is not stored
        in them.""",
        used_when="epochs",
    ),
    Param(
        "init_from",
        None,
        [HasMethods(["fit", "predict"]), torch.nn.Module, None],
        "fitted sknets estimator, torch.nn.Module or None",
        """
        Transfer learning: start from the weights of this estimator's network
        (or of this module). Every parameter outside the output layer (``head``)
        is copied into the new network, which must have the same shapes there;
        the head is new, sized for the new targets.""",
    ),
    Param(
        "freeze_features",
        False,
        ["boolean"],
        "bool",
        """
        With ``init_from``, keep the copied feature layers fixed and train the
        head only (batch-norm statistics still adapt); False fine-tunes all.""",
        used_when="init_from",
    ),
)

# every training parameter is a setting a continued fit applies, but the two
# that only act when the network is built
TRAINING = tuple(
    dataclasses.replace(p, warm=p.name not in ("init_from", "freeze_features"))
    for p in TRAINING
)

CLIP_GRAD_NORM = Param(
    "clip_grad_norm",
    1.0,
    [POSITIVE_REAL, None],
    "float or None",
    """
    Maximum norm of the gradient of all parameters (gradient-norm clipping,
    which keeps recurrent training from exploding); None turns it off.""",
    warm=True,
    used_when="epochs",
)

FITTED = (
    Attribute(
        "net_",
        "skorch.NeuralNet",
        """
        The skorch net that holds the torch module (``net_.module_``), the
        optimizer and the training history.""",
    ),
    Attribute(
        "n_features_in_",
        "int",
        """
        Number of features seen during fit (for images, the number of values in
        one image; for 3D and list series, the features per time step).""",
    ),
    Attribute(
        "feature_names_in_",
        "ndarray of shape (`n_features_in_`,)",
        """
        Names of features seen during fit, when X is a DataFrame with string
        column names.""",
    ),
    Attribute(
        "input_kind_",
        "str",
        """
        What X was at fit: 'images', 'series' (numeric series), 'tokens' (a 2D
        integer array of token ids), 'text' (raw strings) or 'frames' (image
        sequences).""",
    ),
    Attribute("n_iter_", "int", "Number of epochs run."),
    Attribute(
        "max_epochs_, batch_size_, early_stopping_",
        "int, int, bool",
        "The training budget used: ``max_epochs``, ``batch_size`` and "
        "``early_stopping`` with 'auto' resolved for the training data.",
    ),
    Attribute("loss_curve_", "list of float", "Training loss after each epoch."),
    Attribute(
        "validation_loss_curve_",
        "list of float or None",
        """
        Loss on the held-out part after each epoch when ``early_stopping=True``,
        else None.""",
    ),
    Attribute(
        "validation_scores_",
        "list of float or None",
        """
        Score on the validation part after each epoch when early stopping is on:
        the ``scoring`` scorer's, or with ``scoring='loss'`` accuracy for
        classifiers and R^2 for regressors; else None.""",
    ),
    Attribute(
        "best_epoch_",
        "int",
        """
        Epoch (1-based) whose weights the estimator holds: the best validation
        epoch when ``early_stopping=True``, else the last one.""",
    ),
    Attribute(
        "device_",
        "torch.device",
        "Device the estimator was trained on and predicts on.",
    ),
)


def module_settings(module):
    """The settings a module class takes by name, ``{name: Parameter}``: the
    named parameters of its constructor and of those it passes ``**kwargs``
    on to (its base classes')."""
    takes = {}
    for cls in reversed(module.__mro__):
        init = vars(cls).get("__init__")
        if init is not None and cls is not object:
            parameters = inspect.signature(init).parameters.values()
            takes |= {
                p.name: p
                for p in parameters
                if p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL) and p.name != "self"
            }
    return takes
