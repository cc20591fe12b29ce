"""NDArray and nd from Python: values, NumPy interop, autograd, errors of kiln's kinds."""
import numpy as np
import pytest

import kiln
from kiln import nd, autograd


def test_arithmetic_reductions_and_numpy():
    a = nd.array(np.arange(6, dtype=np.float32).reshape(2, 3))
    b = nd.ones((2, 3))
    assert a.shape == (2, 3)
    np.testing.assert_allclose((a * 2 + b - 1).asnumpy(), np.arange(6).reshape(2, 3) * 2)
    np.testing.assert_allclose((1 - a / 2).asnumpy(), 1 - np.arange(6).reshape(2, 3) / 2)
    assert a.sum().asscalar() == 15
    assert abs(a.norm().asscalar() - np.linalg.norm(np.arange(6))) < 1e-5
    np.testing.assert_allclose(nd.dot(a, a.T).asnumpy(), np.arange(6).reshape(2, 3) @ np.arange(6).reshape(2, 3).T)
    np.testing.assert_allclose(nd.relu(a - 2).asnumpy(), np.maximum(np.arange(6).reshape(2, 3) - 2, 0))
    np.testing.assert_array_equal((a > 2).asnumpy(), (np.arange(6).reshape(2, 3) > 2).astype(np.float32))
    assert np.asarray(a).shape == (2, 3)


def test_in_place_operators_write_the_array():
    x = nd.ones((3,))
    y = x
    x /= 2
    x += 1
    assert y is x
    np.testing.assert_allclose(y.asnumpy(), [1.5, 1.5, 1.5])


def test_asnumpy_shares_the_storage():
    x = nd.zeros((4,))
    view = x.asnumpy()
    x += 1
    np.testing.assert_allclose(view, [1, 1, 1, 1])


def test_random_shapes_as_mxnet():
    assert nd.random.uniform(shape=(2, 20)).shape == (2, 20)
    assert nd.random.normal(0, 1, shape=5).shape == (5,)
    u = nd.random.uniform(-1, 1, shape=(1000,)).asnumpy()
    assert u.min() >= -1 and u.max() < 1


def test_autograd_record_and_backward():
    x = nd.array(np.array([1, 2, 3], dtype=np.float32))
    x.attach_grad()
    with autograd.record():
        assert autograd.is_recording() and autograd.is_training()
        y = (x * x).sum()
    assert not autograd.is_recording()
    y.backward()
    np.testing.assert_allclose(x.grad.asnumpy(), [2, 4, 6])


def test_errors_are_python_exceptions_of_kilns_kinds():
    with pytest.raises(kiln.ShapeError, match="do not align") as e:
        nd.dot(nd.ones((2, 3)), nd.ones((4, 5)))
    assert isinstance(e.value, ValueError)
    with pytest.raises(kiln.ValueError):
        nd.ones((3,)).asscalar()
    with pytest.raises(kiln.FileError) as f:
        kiln.gluon.nn.Dense(3).load_parameters("/nonexistent/kiln.params")
    assert isinstance(f.value, OSError)
    # `except kiln.KilnError` catches every kind.
    for kind in (kiln.ShapeError, kiln.ValueError, kiln.FileError, kiln.MemoryError, kiln.InitError):
        assert issubclass(kind, kiln.KilnError), kind


def test_printing_as_mxnet():
    text = str(nd.ones((2, 2)))
    assert "<NDArray 2x2 @cpu(0)>" in text
