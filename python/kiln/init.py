"""Parameter initialisers (mxnet.init)."""
from ._kiln.init import Initializer, Uniform, Normal, Xavier, Constant, Zero, One  # noqa: F401
