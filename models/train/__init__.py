"""Training of every registered model: data access, the fit loop, checkpoints and resume.

::

    from models.train import TrainConfig, fit, load_data

    data = load_data("synthetic:small:test_scale=0.05,lifts=4")
    result = fit("siamese-fast", data, TrainConfig(epochs=20), Path("runs/fast"))
    result.best_path   # runs/fast/best.pt, a zoo checkpoint
"""

from models.train.config import TrainConfig
from models.train.data import LiftData, load_data
from models.train.fit import FitResult, TrainError, fit
from models.train.log import EpochRecord
from models.train.optim import decayed_lr
from models.train.presets import DataSpecError, parse_lifts, parse_preset

__all__ = [
    "DataSpecError",
    "EpochRecord",
    "FitResult",
    "LiftData",
    "TrainConfig",
    "TrainError",
    "decayed_lr",
    "fit",
    "load_data",
    "parse_lifts",
    "parse_preset",
]
