"""Backprop Lab's engine: a NumPy multilayer perceptron whose every number can be shown and checked.

>>> from engine import Network, make_optimizer
>>> net = Network([2, 8, 8, 1], activations="tanh", loss="mse", seed=0)
"""

from .activations import ACTIVATIONS, Activation, get_activation
from .curve import Curve, quartic, quartic_derivative
from .datasets import GENERATORS as DATASETS
from .datasets import Dataset, make_dataset
from .gradcheck import GradCheck, gradcheck
from .history import DecimatingLog
from .losses import LOSSES, Loss, get_loss
from .network import Gradients, Network, Param, Trace
from .optimizers import LIMITS, OPTIMIZERS, Optimizer, check_hyperparameter, make_optimizer
from .presets import PRESETS, Preset, make_preset
from .rnn import RNN, RNNGradients, RNNTrace
from .rnn_trainer import RNNTrainer, TimePhase
from .trainer import DivergedError, Phase, Trainer

__all__ = [
    "ACTIVATIONS", "DATASETS", "LIMITS", "LOSSES", "OPTIMIZERS", "PRESETS",
    "Activation", "Curve", "Dataset", "DecimatingLog", "DivergedError", "GradCheck", "Gradients", "Loss",
    "Network", "Optimizer", "Param", "Phase", "Preset", "RNN", "RNNGradients", "RNNTrace", "RNNTrainer",
    "TimePhase", "Trace", "Trainer",
    "check_hyperparameter", "get_activation", "get_loss", "gradcheck", "make_dataset", "make_optimizer",
    "make_preset", "quartic", "quartic_derivative",
]
