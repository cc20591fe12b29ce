"""The convolutional layers from Python: shapes as Gluon infers them, a residual block written in
Python (d2l's block factory) hybridized against eager, Conv2DTranspose and Concatenate."""
import numpy as np
import pytest

import kiln
from kiln import autograd, nd
from kiln.gluon import nn


class Residual(nn.Block):
    """d2l's residual block, as the book writes it."""

    def __init__(self, num_channels, use_1x1conv=False, strides=1, **kwargs):
        super(Residual, self).__init__(**kwargs)
        self.conv1 = nn.Conv2D(num_channels, kernel_size=3, padding=1, strides=strides)
        self.conv2 = nn.Conv2D(num_channels, kernel_size=3, padding=1)
        self.conv3 = nn.Conv2D(num_channels, kernel_size=1, strides=strides) if use_1x1conv else None
        self.bn1 = nn.BatchNorm()
        self.bn2 = nn.BatchNorm()

    def forward(self, X):
        Y = nd.relu(self.bn1(self.conv1(X)))
        Y = self.bn2(self.conv2(Y))
        if self.conv3:
            X = self.conv3(X)
        return nd.relu(Y + X)


def resnet_block(num_channels, num_residuals, first_block=False):
    blk = nn.Sequential()
    for i in range(num_residuals):
        if i == 0 and not first_block:
            blk.add(Residual(num_channels, use_1x1conv=True, strides=2))
        else:
            blk.add(Residual(num_channels))
    return blk


def small_resnet():
    net = nn.Sequential()
    net.add(nn.Conv2D(8, kernel_size=3, padding=1), nn.BatchNorm(), nn.Activation('relu'))
    net.add(resnet_block(8, 2, first_block=True), resnet_block(16, 1))
    net.add(nn.GlobalAvgPool2D(), nn.Dense(10))
    return net


def test_residual_network_from_python_hybridizes_in_both_modes():
    X = nd.random.uniform(shape=(2, 3, 16, 16))
    net = small_resnet()
    net.initialize()
    with autograd.train_mode():  # moves BatchNorm's running averages
        net(X)
    eager = net(X).asnumpy()
    net.hybridize()
    for _ in range(2):
        np.testing.assert_allclose(net(X).asnumpy(), eager, rtol=1e-4, atol=1e-5)
    assert net.hybrid_stats["compiled"] >= 1
    # Training mode compiles too and moves the running averages as the eager call does.
    before = {k: p.data().asnumpy().copy() for k, p in net.collect_params().items() if 'running' in k}
    with autograd.train_mode():
        net(X)
    moved = [k for k, p in net.collect_params().items() if 'running' in k and not np.array_equal(p.data().asnumpy(), before[k])]
    assert moved and len(moved) == len(before)


def test_layer_shapes_and_transposed_convolution():
    x = nd.random.uniform(shape=(1, 4, 8, 8))
    up = nn.Conv2DTranspose(2, kernel_size=4, strides=2, padding=1)
    up.initialize()
    assert up(x).shape == (1, 2, 16, 16)
    assert up.weight.shape == (4, 2, 4, 4)
    branches = nn.Concatenate(axis=1)
    branches.add(nn.Conv2D(3, kernel_size=1), nn.MaxPool2D(pool_size=3, strides=1, padding=1))
    branches.initialize()
    assert branches(x).shape == (1, 7, 8, 8)
    assert nn.HybridConcatenate is nn.Concatenate
    leaky = nn.LeakyReLU(0.1)
    np.testing.assert_allclose(leaky(nd.array(np.array([-1.0, 2.0], np.float32))).asnumpy(), [-0.1, 2.0], rtol=1e-6)


def test_convolution_errors_name_the_layer_and_shapes():
    conv = nn.Conv2D(4, kernel_size=3, in_channels=2)
    conv.initialize()
    with pytest.raises(kiln.ShapeError, match="Conv2D"):
        conv(nd.ones((1, 3, 8, 8)))
    with pytest.raises(kiln.ShapeError, match="Conv2D"):
        conv(nd.ones((3, 8, 8)))
    with pytest.raises(kiln.ValueError, match="strides"):
        nn.Conv2D(4, kernel_size=3, strides=0)
