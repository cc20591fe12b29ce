"""Learning-rate schedules (mxnet.lr_scheduler), for Trainer's optimizer_params['lr_scheduler']."""
from ._kiln.lr_scheduler import LRScheduler, FactorScheduler, MultiFactorScheduler, CosineScheduler  # noqa: F401
