"""Parameter descriptions shared by several estimators, substituted into docstrings.

Each estimator's docstring holds placeholders such as ``{training_params}``; the
:func:`fill_doc` decorator replaces them with the text below, so a parameter
shared by every estimator is described in one place (imbalanced-learn does the
same with its ``Substitution`` decorator).
"""

from __future__ import annotations

_TRAINING_PARAMS = """\
max_epochs : int, default={max_epochs}
    Number of passes over the training data. With ``early_stopping=True``,
    training may stop earlier.

batch_size : int, default={batch_size}
    Number of samples per gradient step. A last batch of a single sample is
    merged into the previous one.

lr : float, default={lr}
    Learning rate of the optimizer.

optimizer : {{'adam', 'adamw', 'sgd'}} or torch optimizer class, default='{optimizer}'
    Optimizer. 'sgd' is SGD with Nesterov momentum 0.9. A class (for example
    ``torch.optim.RMSprop``) is called as ``optimizer(params, lr=lr,
    weight_decay=weight_decay)``.

weight_decay : float, default={weight_decay}
    L2 penalty (decoupled for 'adamw').

lr_schedule : {{'constant', 'cosine'}}, default='{lr_schedule}'
    'cosine' anneals the learning rate from ``lr`` to zero over ``max_epochs``
    (a cosine curve, one cycle); 'constant' keeps ``lr``.

early_stopping : bool, default=False
    Whether to hold out ``validation_fraction`` of the training data
    (stratified for classifiers) and stop when its loss has not improved for
    ``n_iter_no_change`` epochs. The weights of the best epoch are restored.
    When False, all the data is used for training and nothing is held out.

validation_fraction : float, default=0.1
    Fraction of the training data held out when ``early_stopping=True``.

n_iter_no_change : int, default=10
    Epochs without improvement of the validation loss before training stops,
    when ``early_stopping=True``.

device : str, default='auto'
    Torch device to train and predict on. 'auto' uses CUDA when it is
    available and the CPU otherwise; 'cpu', 'cuda' or 'cuda:1' force one.

mixed_precision : {{'bf16', 'fp16'}} or None, default=None
    Run the forward passes of training and prediction under
    ``torch.autocast`` in bfloat16 ('bf16') or float16 ('fp16'); the weights,
    the optimizer and the loss stay in float32. 'fp16' also scales the loss
    (``torch.amp.GradScaler``) so that small gradients do not vanish. Meant for
    GPUs with tensor cores (bf16 on Ampere or newer). On a CPU it works, but
    without native low-precision arithmetic it gains nothing: 'bf16' runs
    about as fast as float32, and 'fp16' many times slower (fit warns about
    it; see sknets' CPU benchmark, docs/results/speed.md). None trains in
    float32.

random_state : int, RandomState instance or None, default=None
    Seeds the weight initialisation, dropout and the shuffling of batches.
    With an int, two fits on the CPU give identical predictions. The global
    random state of torch and numpy is left as it was.

verbose : int, default=0
    0 is silent (the right setting inside a grid search); 1 prints one line
    per epoch: training loss, and with ``early_stopping`` the validation loss
    and validation score (accuracy, or R^2 for regressors), learning rate and
    time; 2 adds a progress bar over the batches of each epoch (tqdm).

callbacks : list of skorch callbacks or None, default=None
    Extra skorch callbacks, added to the ones sknets sets up. They are cloned
    at ``fit``, so the objects passed here are never modified.

warm_start : bool, default=False
    When True and the estimator is already fitted, ``fit`` continues training
    from the fitted weights instead of starting again.

checkpoint_dir : str, path or None, default=None
    Directory where the estimator is written with :func:`sknets.save` after
    every epoch: ``last.sknets`` (the last completed epoch) and
    ``best.sknets`` (the lowest validation loss with ``early_stopping``, else
    the lowest training loss). After a crash,
    ``sknets.load(dir + "/last.sknets").set_params(warm_start=True).fit(X, y)``
    resumes training (with a fresh optimizer state: the files hold weights,
    not the optimizer's moments). The ``callbacks`` parameter is not stored
    in them.

init_from : fitted sknets estimator, torch.nn.Module or None, default=None
    Transfer learning: start from the weights of this estimator's network
    (or of this module). Every parameter outside the output layer (``head``)
    is copied into the new network, which must have the same shapes there;
    the head is new, sized for the new targets.

freeze_features : bool, default=False
    With ``init_from``, keep the copied feature layers fixed and train the
    head only (batch-norm statistics still adapt); False fine-tunes all.\
"""

_TRAINING_DEFAULTS = dict(
    max_epochs=100,
    batch_size=64,
    lr=1e-3,
    optimizer="adam",
    weight_decay=0.0,
    lr_schedule="constant",
)

_FITTED_ATTRIBUTES = """\
net_ : skorch.NeuralNet
    The skorch net that holds the torch module (``net_.module_``), the
    optimizer and the training history.

n_features_in_ : int
    Number of features seen during fit (for images, the number of values in
    one image).

feature_names_in_ : ndarray of shape (`n_features_in_`,)
    Names of features seen during fit, when X is a DataFrame with string
    column names.

n_iter_ : int
    Number of epochs run.

loss_curve_ : list of float
    Training loss after each epoch.

validation_loss_curve_ : list of float or None
    Loss on the held-out part after each epoch when ``early_stopping=True``,
    else None.

validation_scores_ : list of float or None
    Score on the held-out part after each epoch when ``early_stopping=True``
    (accuracy for classifiers, R^2 for regressors), else None.

best_epoch_ : int
    Epoch (1-based) whose weights the estimator holds: the best validation
    epoch when ``early_stopping=True``, else the last one.

device_ : torch.device
    Device the estimator was trained on and predicts on.\
"""


def training_params(**defaults) -> str:
    """The shared training parameters' text, with estimator-specific defaults."""
    values = {**_TRAINING_DEFAULTS, **defaults}
    return _TRAINING_PARAMS.format(**values)


def fill_doc(**sections):
    """Decorator: fill ``{name}`` placeholders of a docstring with ``sections``.

    The placeholders stand at the indentation of a class docstring's sections
    (4 spaces); the inserted text's continuation lines are indented to match.
    """

    def decorator(obj):
        indented = {
            key: text.replace("\n", "\n    ").replace("\n    \n", "\n\n")
            for key, text in sections.items()
        }
        obj.__doc__ = obj.__doc__.format(**indented)
        return obj

    return decorator


FITTED_ATTRIBUTES = _FITTED_ATTRIBUTES
