"""Training from Python: gluon.loss against their formulas, Trainer's update, the compiled step
against the eager loop, schedules, metrics, SymbolBlock.imports, and d2l's Fashion-MNIST loop
printing what the C++ examples print."""
import os
import re
import subprocess
import sys

import numpy as np
import pytest

import kiln
from kiln import autograd, gluon, init, lr_scheduler, metric, nd
from kiln.gluon import loss as gloss, nn

EXAMPLES = os.path.join(os.path.dirname(__file__), "..", "..", "examples")
FASHION_MNIST = "/usr/share/datasets/fashion-mnist"


def log_softmax(x):
    m = x.max(axis=1, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(axis=1, keepdims=True))


def test_losses_match_their_formulas():
    rng = np.random.default_rng(0)
    pred, label = rng.normal(size=(4, 3)).astype(np.float32), rng.normal(size=(4, 3)).astype(np.float32)
    p, y = nd.array(pred), nd.array(label)
    np.testing.assert_allclose(gloss.L2Loss()(p, y).asnumpy(), (0.5 * (label - pred) ** 2).mean(axis=1), rtol=1e-5)
    np.testing.assert_allclose(gloss.L1Loss()(p, y).asnumpy(), np.abs(label - pred).mean(axis=1), rtol=1e-5)
    d = np.abs(label - pred)
    huber = np.where(d <= 1, 0.5 * d ** 2, d - 0.5).mean(axis=1)
    np.testing.assert_allclose(gloss.HuberLoss(rho=1)(p, y).asnumpy(), huber, rtol=1e-5)
    classes = np.array([0, 2, 1, 2], np.float32)
    ce = -log_softmax(pred)[np.arange(4), classes.astype(int)]
    np.testing.assert_allclose(gloss.SoftmaxCrossEntropyLoss()(p, nd.array(classes)).asnumpy(), ce, rtol=1e-5)
    np.testing.assert_allclose(gloss.SoftmaxCELoss(weight=2.0)(p, nd.array(classes)).asnumpy(), 2 * ce, rtol=1e-5)
    z = (label > 0).astype(np.float32)
    bce = (np.maximum(pred, 0) - pred * z + np.log1p(np.exp(-np.abs(pred)))).mean(axis=1)
    np.testing.assert_allclose(gloss.SigmoidBCELoss()(p, nd.array(z)).asnumpy(), bce, rtol=1e-5)
    sample_weight = nd.array(np.array([[1], [0], [2], [1]], np.float32))
    np.testing.assert_allclose(gloss.L1Loss()(p, y, sample_weight).asnumpy(),
                               np.abs(label - pred).mean(axis=1) * [1, 0, 2, 1], rtol=1e-5)


def test_loss_errors_are_python_errors():
    with pytest.raises(kiln.ShapeError, match="label of shape"):
        gloss.L2Loss()(nd.ones((4, 3)), nd.ones((5,)))
    with pytest.raises(kiln.ValueError, match="batch_axis"):
        gloss.L2Loss(batch_axis=1)


def test_trainer_step_is_sgd():
    net = nn.Dense(2, in_units=3)
    net.initialize(init.Normal(sigma=1.0))
    w0 = net.weight.data().asnumpy().copy()
    trainer = gluon.Trainer(net.collect_params(), 'sgd', {'learning_rate': 0.1})
    x = nd.array(np.ones((4, 3), np.float32))
    with autograd.record():
        l = net(x).sum()
    l.backward()
    grad = net.weight.grad().asnumpy().copy()
    trainer.step(4)
    np.testing.assert_allclose(net.weight.data().asnumpy(), w0 - 0.1 * grad / 4, rtol=1e-6)
    assert trainer.learning_rate == pytest.approx(0.1)
    trainer.set_learning_rate(0.05)
    assert trainer.learning_rate == pytest.approx(0.05)


def test_trainer_errors_name_the_problem():
    net = nn.Dense(2, in_units=3)
    net.initialize()
    with pytest.raises(kiln.ValueError, match="must be a number"):
        gluon.Trainer(net.collect_params(), 'sgd', {'learning_rate': 'fast'})
    with pytest.raises(kiln.ValueError, match="sgd"):
        gluon.Trainer(net.collect_params(), 'sgdd')
    trainer = gluon.Trainer(net.collect_params(), 'sgd')
    with pytest.raises(kiln.ValueError, match="has not been updated by backward"):
        trainer.step(1)


def test_lr_scheduler_drives_the_trainer():
    sched = lr_scheduler.FactorScheduler(step=2, factor=0.5, base_lr=1.0)
    assert [sched(t) for t in (1, 2, 3, 5)] == [1.0, 1.0, 0.5, 0.25]
    assert lr_scheduler.CosineScheduler(max_update=10, base_lr=1.0)(10) == pytest.approx(0.0, abs=1e-6)
    net = nn.Dense(1, in_units=1)
    net.initialize()
    trainer = gluon.Trainer(net.collect_params(), 'sgd', {'learning_rate': 1.0, 'lr_scheduler': sched})
    for _ in range(3):
        with autograd.record():
            l = net(nd.ones((1, 1))).sum()
        l.backward()
        trainer.step(1)
    assert trainer.learning_rate == pytest.approx(0.5)


def make_mlp():
    net = nn.Sequential()
    net.add(nn.Dense(16, activation='relu', in_units=5), nn.Dense(4, in_units=16))
    net.initialize(init.Xavier())
    return net


def test_compiled_step_trains_as_the_eager_loop():
    x = nd.random.uniform(shape=(8, 5))
    y = nd.array(np.array([0, 1, 2, 3, 0, 1, 2, 3], np.float32))
    nets = []
    for _ in range(2):
        nd.random.seed(1)
        nets.append(make_mlp())
    eager_net, compiled_net = nets
    loss = gloss.SoftmaxCrossEntropyLoss()
    eager_trainer = gluon.Trainer(eager_net.collect_params(), 'sgd', {'learning_rate': 0.5, 'momentum': 0.9})
    trainer = gluon.Trainer(compiled_net.collect_params(), 'sgd', {'learning_rate': 0.5, 'momentum': 0.9})
    step = trainer.compile_step(compiled_net, loss)
    for _ in range(4):
        with autograd.record():
            l_eager = loss(eager_net(x), y)
        l_eager.backward()
        eager_trainer.step(8)
        l = step(x, y)
        np.testing.assert_allclose(l.asnumpy(), l_eager.asnumpy(), rtol=1e-4, atol=1e-6)
    assert step.compile_count == 1 and step.last_call_compiled
    for p, q in zip(eager_net.collect_params().values(), compiled_net.collect_params().values()):
        np.testing.assert_allclose(q.data().asnumpy(), p.data().asnumpy(), rtol=1e-4, atol=1e-6)
    assert step.last_prediction.shape == (8, 4)


class TwoInputLoss(nn.Block):
    """A loss written in Python: a forward of two inputs."""

    def forward(self, pred, label):
        d = pred - label
        return (d * d).mean(axis=1)


def test_python_blocks_take_several_inputs_and_hybridize():
    block = TwoInputLoss()
    a, b = nd.random.uniform(shape=(3, 4)), nd.random.uniform(shape=(3, 4))
    eager = block(a, b).asnumpy()
    block.hybridize()
    block(a, b)
    np.testing.assert_allclose(block(a, b).asnumpy(), eager, rtol=1e-6)
    assert block.compile_count == 1


def test_metrics():
    acc = metric.Accuracy()
    acc.update(nd.array(np.array([0, 1, 1], np.float32)), nd.array(np.array([[1, 0], [0, 1], [1, 0]], np.float32)))
    assert acc.get() == ('accuracy', pytest.approx(2 / 3))
    acc.update([nd.array(np.array([0], np.float32))], [nd.array(np.array([[1, 0]], np.float32))])
    assert acc.get()[1] == pytest.approx(3 / 4)
    with pytest.raises(kiln.ValueError, match="2 label arrays but 1"):
        acc.update([nd.zeros(1), nd.zeros(1)], [nd.zeros((1, 2))])
    mean = metric.Loss()
    mean.update(None, nd.array(np.array([1, 2, 3], np.float32)))
    assert mean.get() == ('loss', pytest.approx(2.0))


def test_export_then_symbolblock_imports(tmp_path):
    net = make_mlp()
    net.hybridize()
    x = nd.random.uniform(shape=(2, 5))
    want = net(x).asnumpy()
    path = str(tmp_path / "mlp")
    net.export(path)
    back = gluon.SymbolBlock.imports(path + "-symbol.mlir", ['data'], path + "-0000.params")
    np.testing.assert_allclose(back(x).asnumpy(), want, rtol=1e-6)
    assert nn.SymbolBlock is gluon.SymbolBlock
    with pytest.raises(kiln.FileError, match="mlp-0007.params"):
        gluon.SymbolBlock.imports(path + "-symbol.mlir", ['data'], path + "-0007.params")
    with pytest.raises(kiln.KilnError, match="nput"):
        gluon.SymbolBlock.imports(path + "-symbol.mlir", ['pixels'], path + "-0000.params")


def epoch_lines(text):
    """The per-epoch lines without their timings."""
    return [re.sub(r", [0-9.]+ sec$", "", line) for line in text.splitlines() if line.startswith("epoch ")]


@pytest.mark.skipif(not os.path.isdir(FASHION_MNIST), reason="needs Debian's dataset-fashion-mnist")
@pytest.mark.parametrize("net,cpp,flags", [("mlp", "train_fashion_mnist", ["--epochs", "2"]),
                                           ("lenet", "lenet", ["--epochs", "1", "--compile-step"])])
def test_d2l_training_loop_prints_what_the_cpp_example_prints(net, cpp, flags):
    python = subprocess.run([sys.executable, os.path.join(EXAMPLES, "train_fashion_mnist.py"), "--net", net] + flags,
                            capture_output=True, text=True, check=True)
    native = subprocess.run([os.path.join(os.environ["KILN_BIN"], cpp), "--plot", ""] + flags,
                            capture_output=True, text=True, check=True)
    lines = epoch_lines(python.stdout)
    assert lines and lines == epoch_lines(native.stdout), (python.stdout, native.stdout)
    if net == "mlp":
        assert float(lines[-1].split("test acc ")[1]) >= 0.75
