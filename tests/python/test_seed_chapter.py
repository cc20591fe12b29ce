"""The seed chapter ("Layers and Blocks") run as written, with mxnet replaced by kiln: every code
cell in order, each network's output shape checked, then each network hybridized against its
eager output."""
import os
import re

import numpy as np
import pytest

from conftest import SEED_CHAPTER


def cells():
    with open(SEED_CHAPTER, encoding="utf-8") as f:
        text = f.read()
    return [c for c in re.findall(r"```\{\.python \.input[^}]*\}\n(.*?)```", text, re.S)]


@pytest.mark.skipif(not os.path.exists(SEED_CHAPTER), reason="the seed chapter is not beside this checkout")
def test_every_cell_runs_and_hybridized_equals_eager():
    code = cells()
    assert len(code) == 8
    scope = {}
    shapes = []
    for cell in code:
        exec(compile(cell.replace("mxnet", "kiln"), "<seed cell>", "exec"), scope)  # noqa: S102
        last = cell.strip().splitlines()[-1]
        if re.fullmatch(r"\w+\(x\)", last):  # the cell ends by calling a net on x
            net = scope[last[:-3]]
            shapes.append(net(scope["x"]).shape)
    assert shapes == [(2, 10), (2, 10), (2, 10), (1,), (1,)]
    x = scope["x"]
    for name in ("net", "chimera"):
        net = scope[name]
        eager = net(x).asnumpy()
        net.hybridize()
        for _ in range(2):
            np.testing.assert_allclose(net(x).asnumpy(), eager, rtol=1e-4, atol=1e-5)


@pytest.mark.skipif(not os.environ.get("KILN_BIN"), reason="needs KILN_BIN, the build's bin/ (ctest sets it)")
def test_the_python_example_prints_what_the_cpp_example_prints():
    import subprocess
    import sys
    here = os.path.dirname(__file__)
    cpp = subprocess.run([os.path.join(os.environ["KILN_BIN"], "seed_chapter")], capture_output=True, text=True,
                         check=True).stdout
    py = subprocess.run([sys.executable, os.path.join(here, "..", "..", "examples", "seed_chapter.py")],
                        capture_output=True, text=True, check=True, env=os.environ).stdout
    shared = cpp[:cpp.index("== Exercise 4")]  # the C++ example goes on to the chapter's exercises
    assert py == shared
