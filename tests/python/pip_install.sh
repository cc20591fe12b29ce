#!/bin/sh
# `pip install .` with no package index (from the build in $3), into a fresh folder; the installed package then trains a
# step of a hybridized network from outside the source tree.
set -eu
source_dir=$1 python=$2
export KILN_BUILD_DIR=$3
target=$(mktemp -d)
trap 'rm -rf "$target"' EXIT
cd "$source_dir"
"$python" -m pip install --quiet --no-index --no-build-isolation --target "$target/site" . 2>&1 | grep -v "WARNING: Running pip as the 'root' user" || true
cd "$target"
PYTHONPATH="$target/site" KILN_CACHE_DIR=off "$python" - <<'PY'
import kiln
from kiln import autograd, gluon, nd
from kiln.gluon import loss as gloss, nn
assert kiln.__file__.startswith(__import__("os").getcwd()), kiln.__file__
net = nn.Sequential()
net.add(nn.Dense(8, activation="relu"), nn.Dense(2))
net.initialize()
net.hybridize()
trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.1})
step = trainer.compile_step(net, gloss.SoftmaxCrossEntropyLoss())
x, y = nd.random.uniform(shape=(4, 3)), nd.zeros((4,))
step(x, y)
step(x, y)
assert step.last_call_compiled
print("installed package ok")
PY
