# The suites import kiln from the build tree (ctest sets PYTHONPATH=build/python).
import os
import sys

import pytest

# The seed chapter's blocks are written once, in examples/seed_chapter.py, as the C++ ones are in
# examples/seed_models.h.
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "examples"))

SEED_CHAPTER = os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "seed", "000_9e73f6217d620d0a.txt")


@pytest.fixture(autouse=True)
def seeded():
    import kiln
    kiln.nd.random.seed(0)
