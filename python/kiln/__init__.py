"""kiln: Gluon's hybridization in C++, with MXNet's Python API on top.

    from kiln import nd, autograd, gluon
    from kiln.gluon import nn

The objects are kiln's C++ ones (the _kiln extension): an nn.Block subclassed here runs its
Python forward while a call is traced, and compiled code afterwards.
"""
from . import _kiln
from . import nd, autograd, init, gluon, metric, lr_scheduler
from ._kiln import KilnError, ShapeError, ValueError, InitError, FileError, MemoryError, NDArray

__all__ = ["nd", "autograd", "init", "gluon", "metric", "lr_scheduler", "NDArray", "KilnError", "ShapeError", "ValueError", "InitError",
           "FileError", "MemoryError"]
