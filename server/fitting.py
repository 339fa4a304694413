"""A loss that fits the data: choosing a data set that the loss in force cannot learn switches the loss (and the
output unit it needs) and says so in plain words; asking outright for a loss the data cannot use is refused in
plain words. The engine would refuse either with its own names ('spiral3', 'softmax_ce')."""

from __future__ import annotations

from engine import DATASETS, LOSSES, Dataset

from .protocol import Config, FieldError

SHORT = {"mse": "squared error", "bce": "cross-entropy on a logistic output",
         "softmax_ce": "cross-entropy on a softmax output (one output neuron per class)"}


def needed_loss(dataset: str, loss: str) -> tuple[str, str] | None:
    """(the loss this data needs instead of ``loss``, why), or None when ``loss`` fits."""
    kind, _, n_classes = DATASETS[dataset]
    return needed_loss_for(kind, n_classes, loss)


def needed_loss_for(kind: str, n_classes: int, loss: str) -> tuple[str, str] | None:
    """As ``needed_loss``, for data of this kind and number of classes (your own data has no name to look up)."""
    if kind == "regression" and loss != "mse":
        return "mse", "this data set has real-valued targets, and cross-entropy needs class labels"
    if kind == "classification" and n_classes > 2 and loss != "softmax_ce":
        return "softmax_ce", (f"this data set has {n_classes} classes, and {SHORT[loss]} has a single output "
                              f"that cannot tell {n_classes} classes apart")
    return None


def fit_loss(config: Config, chose_dataset: bool, data: Dataset | None = None) -> tuple[Config, str | None]:
    """The config with a loss that fits its data, and a note saying what changed (None if nothing did).

    chose_dataset: the person chose the data set (and not the loss) just now, so the loss follows it; else a
    loss that does not fit is refused, naming the field 'loss'. data: your own data, used instead of the
    config's data set."""
    if config.preset is not None:
        return config, None
    need = needed_loss(config.dataset, config.loss) if data is None else \
        needed_loss_for(data.kind, data.n_classes, config.loss)
    if need is None:
        return config, None
    loss, why = need
    if not chose_dataset:
        raise FieldError("loss", f"loss: {SHORT[config.loss].capitalize()} does not fit here: {why}. "
                                 f"Use {SHORT[loss]}.")
    activations = config.activations
    if isinstance(activations, list):  # the output unit follows the loss; hidden layers keep theirs
        output = LOSSES[loss].output_activation
        freed = activations[-1] in ("softmax", "sigmoid") and output is None
        hidden = activations[0] if len(activations) > 1 else "tanh"
        activations = [*activations[:-1], output or (hidden if freed else activations[-1])]
    fitted = config.model_copy(update={"loss": loss, "activations": activations})
    return fitted, f"The loss is now {SHORT[loss]}: {why}."
