"""Blocks and layers (mxnet.gluon.nn).

`Block` is subclassed as in Gluon: call `super().__init__(**kwargs)` first, then assign layers
to attributes (each assignment registers the child, as Gluon's __setattr__ does) or put them in
`self._children`; define `forward(self, x)`. The layers are kiln's C++ ones.
"""
import collections
import itertools
import weakref

from .. import _kiln
from .._kiln.nn import (Dense, Sequential, Activation, LeakyReLU, Flatten, Dropout, BatchNorm,  # noqa: F401
                        Conv2D, Conv2DTranspose, MaxPool2D, AvgPool2D, GlobalAvgPool2D, GlobalMaxPool2D,
                        Concatenate, Parameter, ParameterDict, SymbolBlock)

HybridSequential = Sequential
HybridConcatenate = Concatenate
_counters = collections.defaultdict(itertools.count)


def _name(block):
    """MXNet's automatic block name: the lower-case class name and a count ("dense0"), given on
    first use."""
    if "_kiln_name" not in block.__dict__:
        kind = type(block).__name__.lower()
        block.__dict__["_kiln_name"] = f"{kind}{next(_counters[kind])}"
    return block.__dict__["_kiln_name"]


def _prefix(block):
    return block.__dict__.get("_prefix") or _name(block) + "_"


# Every block, the C++ layers too, has Gluon's name and prefix.
_kiln.nn.Block.name = property(_name)
_kiln.nn.Block.prefix = property(_prefix)


class _Children(collections.OrderedDict):
    """Block._children: setting an entry registers the child with the C++ block. It holds its
    owner weakly: a strong reference would make every Block a cycle that is never freed."""

    def __init__(self, owner):
        super().__init__()
        self._owner = weakref.ref(owner)

    def __setitem__(self, name, block):
        if name not in self:
            self._owner()._register_child(str(name), block)
        super().__setitem__(name, block)


class Block(_kiln.nn.Block):
    def __init__(self, prefix=None, params=None, **kwargs):
        super().__init__()
        object.__setattr__(self, "_children", _Children(self))
        self._name_class(type(self).__name__)
        object.__setattr__(self, "_prefix", prefix)

    def __setattr__(self, name, value):
        if isinstance(value, _kiln.nn.Block):
            if "_children" not in self.__dict__:
                raise RuntimeError(
                    f"{type(self).__name__}.__init__ assigns the block '{name}' before calling "
                    f"super({type(self).__name__}, self).__init__(**kwargs); call it first")
            self._children[name] = value
        object.__setattr__(self, name, value)

    def __getattr__(self, name):
        if name == "_children":
            raise RuntimeError(
                f"{type(self).__name__}.__init__ did not call super({type(self).__name__}, self).__init__(**kwargs); "
                "call it first in __init__")
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")


HybridBlock = Block
