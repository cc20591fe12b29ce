"""Array functions (mxnet.nd): the _kiln extension's, under MXNet's names."""
from ._kiln import NDArray
from ._kiln.nd import *  # noqa: F401,F403  (array, zeros, ones, dot, relu, ...)
from ._kiln.nd import random  # noqa: F401
