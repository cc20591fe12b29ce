"""d2l's Fashion-MNIST training loop (the book's train_ch3 / train_ch6) in Python on kiln: the
multilayer perceptron (lr 0.5) or LeNet (lr 0.9), SoftmaxCrossEntropyLoss, SGD, batch 256.

    PYTHONPATH=build/python /usr/bin/python3 examples/train_fashion_mnist.py [--net mlp|lenet]
        [--epochs N] [--batch-size B] [--lr LR] [--no-hybridize] [--compile-step] [--seed S]
        [--data DIR] [--min-test-acc A]

It prints the same line per epoch as build/bin/train_fashion_mnist and build/bin/lenet, and with
the same flags the same numbers: the network, the data order and every op are the C++ ones.
"""
import argparse
import sys
import time

from kiln import autograd, gluon, init, metric, nd
from kiln.gluon import data as gdata, loss as gloss, nn


def mlp():
    net = nn.Sequential()
    net.add(nn.Flatten(), nn.Dense(256, activation='relu'), nn.Dense(10))
    net.initialize(init.Normal(sigma=0.01))
    return net


def lenet():
    net = nn.Sequential()
    net.add(nn.Conv2D(channels=6, kernel_size=5, activation='sigmoid'),
            nn.MaxPool2D(pool_size=2, strides=2),
            nn.Conv2D(channels=16, kernel_size=5, activation='sigmoid'),
            nn.MaxPool2D(pool_size=2, strides=2),
            nn.Dense(120, activation='sigmoid'),
            nn.Dense(84, activation='sigmoid'),
            nn.Dense(10))
    net.initialize(init.Xavier())
    return net


NETS = {'mlp': (mlp, 0.5), 'lenet': (lenet, 0.9)}


def evaluate_accuracy(data_iter, net):
    acc = metric.Accuracy()
    for X, y in data_iter:
        acc.update(y, net(X))
    return acc.get()[1]


def train(args):
    nd.random.seed(args.seed)
    transformer = gdata.vision.transforms.ToTensor()
    mnist_train = gdata.vision.FashionMNIST(root=args.data, train=True)
    mnist_test = gdata.vision.FashionMNIST(root=args.data, train=False)
    train_iter = gdata.DataLoader(mnist_train.transform_first(transformer), args.batch_size, shuffle=True)
    test_iter = gdata.DataLoader(mnist_test.transform_first(transformer), args.batch_size, shuffle=False)

    make_net, default_lr = NETS[args.net]
    net = make_net()
    loss = gloss.SoftmaxCrossEntropyLoss()
    if args.hybridize:
        net.hybridize()
        loss.hybridize()
    trainer = gluon.Trainer(net.collect_params(), 'sgd', {'learning_rate': args.lr or default_lr})
    step = trainer.compile_step(net, loss) if args.compile_step else None

    test_acc = 0.0
    for epoch in range(1, args.epochs + 1):
        start = time.time()
        train_loss, train_acc = metric.Loss(), metric.Accuracy()
        for X, y in train_iter:
            if step:
                train_loss.update(None, step(X, y))
                train_acc.update(y, step.last_prediction)
            else:
                with autograd.record():
                    y_hat = net(X)
                    l = loss(y_hat, y)
                l.backward()
                trainer.step(X.shape[0])
                train_loss.update(None, l)
                train_acc.update(y, y_hat)
        test_acc = evaluate_accuracy(test_iter, net)
        print('epoch %d, loss %.4f, train acc %.3f, test acc %.3f, %.2f sec'
              % (epoch, train_loss.get()[1], train_acc.get()[1], test_acc, time.time() - start), flush=True)
    if args.min_test_acc > 0 and test_acc < args.min_test_acc:
        print(f'train_fashion_mnist.py: test accuracy {test_acc:.3f} is below the floor {args.min_test_acc:.3f}',
              file=sys.stderr)
        return 1
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--net', choices=sorted(NETS), default='mlp')
    parser.add_argument('--epochs', type=int, default=10)
    parser.add_argument('--batch-size', type=int, default=256)
    parser.add_argument('--lr', type=float, default=None, help='0.5 for mlp, 0.9 for lenet')
    parser.add_argument('--no-hybridize', dest='hybridize', action='store_false')
    parser.add_argument('--compile-step', action='store_true')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--data', default='/usr/share/datasets/fashion-mnist')
    parser.add_argument('--min-test-acc', type=float, default=-1)
    args = parser.parse_args()
    if args.epochs <= 0:
        parser.error('--epochs must be positive')
    return train(args)


if __name__ == '__main__':
    sys.exit(main())
