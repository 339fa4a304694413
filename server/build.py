"""From a validated ``Config`` to a running engine trainer, with every limit of the settings enforced."""

from __future__ import annotations

import re
from collections.abc import Iterable

from engine import Dataset, Trainer, make_dataset, make_optimizer, make_preset
from engine.network import Network
from engine.optimizers import OPTIMIZERS

from .fitting import fit_loss
from .protocol import Config, FieldError
from .settings import Settings


def engine_error(exc: ValueError, prefix: str = "") -> FieldError:
    """The engine words its errors "field: reason"; keep the field, say it plainly."""
    text = str(exc)
    match = re.match(r"(\w+): ", text)
    field = prefix + (match.group(1) if match else "config")
    return FieldError(field, text)


def refuse_unknown_settings(optimizer: str, given: Iterable[str], prefix: str = "") -> None:
    """A setting the optimizer does not take is refused, the field named (``prefix``: where its settings sit)."""
    takes = OPTIMIZERS[optimizer].hyperparameters  # type: ignore[attr-defined]
    for name in given:
        if name not in takes:
            raise FieldError(f"{prefix}{name}", f"{prefix}{name}: the {optimizer} optimizer has no such setting; it "
                                                f"takes {', '.join(takes)}")


def check_limits(config: Config, settings: Settings) -> None:
    if config.preset is not None:
        return
    if len(config.sizes) > settings.max_hidden_layers:
        raise FieldError(
            "sizes", f"sizes: at most {settings.max_hidden_layers} hidden layers, got {len(config.sizes)}"
        )
    for k, n in enumerate(config.sizes):
        if n > settings.max_neurons:
            raise FieldError(f"sizes[{k}]", f"sizes[{k}]: at most {settings.max_neurons} neurons a layer, got {n}")
    if config.n_points > settings.max_points:
        raise FieldError("n_points", f"n_points: at most {settings.max_points} points, got {config.n_points}")
    if isinstance(config.activations, list) and len(config.activations) != len(config.sizes) + 1:
        raise FieldError(
            "activations",
            f"activations: need one per hidden layer and one for the output ({len(config.sizes) + 1}), "
            f"got {len(config.activations)}",
        )


def optimizer_settings(config: Config) -> dict[str, float]:
    """The hyperparameters in the config that this optimizer takes (the others are kept for later)."""
    takes = OPTIMIZERS[config.optimizer].hyperparameters  # type: ignore[attr-defined]
    return {k: v for k, v in config.hyper.given().items() if k in takes}


TRAJECTORY_ROWS = (16, 2000)  # the fewest and the most points a recorded path keeps


def trajectory_rows(n_params: int, settings: Settings) -> int:
    """How many points of the training path a session keeps: as many as fit in ``settings.trajectory_bytes``
    (a path point is every weight, float64), within TRAJECTORY_ROWS. The log thins itself evenly when full, and
    the path drawn always runs from step 0 to the current weights (engine.landscape.trainer_path), so a big
    network's path has fewer points, never a shorter span: 22 to 45 at 6 × 32 neurons within 2 MB."""
    low, high = TRAJECTORY_ROWS
    return max(low, min(high, settings.trajectory_bytes // (8 * n_params)))


def build_trainer(config: Config, settings: Settings, own_optimizer: bool = False, data: Dataset | None = None
                  ) -> Trainer:
    """own_optimizer: a worked example trained with the config's optimizer and settings instead of its own
    (momentum or Adam on the curve, the trough and the bowl are the point of those examples). data: your own
    data (engine/owndata.py) instead of the config's data set."""
    check_limits(config, settings)
    fit_loss(config, chose_dataset=False, data=data)  # a loss the data cannot use is refused in plain words
    try:
        if config.preset is not None:
            preset = make_preset(config.preset)
            optimizer = make_optimizer(config.optimizer, **optimizer_settings(config)) if own_optimizer \
                else preset.optimizer
            return Trainer(preset.model, optimizer, preset.data, batch_size=preset.batch_size,
                           trajectory_size=trajectory_rows(preset.model.n_params, settings),
                           rewind_bytes=settings.rewind_bytes)
        data = data if data is not None else make_dataset(
            config.dataset, n=config.n_points, noise=config.noise, test_fraction=config.test_fraction,
            seed=config.data_seed,
        )
        # Softmax gives each class its own output neuron, two classes included.
        n_out = data.n_classes if config.loss == "softmax_ce" else data.n_outputs
        sizes = [data.n_inputs, *config.sizes, n_out]
        net = Network(sizes, activations=config.activations, loss=config.loss, seed=config.seed)
        optimizer = make_optimizer(config.optimizer, **optimizer_settings(config))
        return Trainer(net, optimizer, data, batch_size=config.batch_size, seed=config.seed,
                       trajectory_size=trajectory_rows(net.n_params, settings), rewind_bytes=settings.rewind_bytes)
    except ValueError as exc:
        raise engine_error(exc) from None
