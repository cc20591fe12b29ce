"""pip install . — installs the kiln Python package that scripts/setup.sh built into build/python
(the _kiln extension and the pure-Python layer). No package index is needed: the extension is
built by CMake, and this only copies it, so run scripts/setup.sh first. Use Debian's pip with a
virtual environment or --target (Debian marks its system Python as externally managed):

    /usr/bin/python3 -m pip install --target ~/kiln-python .
"""
import glob
import os

from setuptools import find_packages, setup
from setuptools.dist import Distribution

here = os.path.dirname(os.path.abspath(__file__))
# The CMake build folder: build/ unless KILN_BUILD_DIR names another.
built = os.path.join(os.environ.get("KILN_BUILD_DIR", os.path.join(here, "build")), "python")
if not glob.glob(os.path.join(built, "kiln", "_kiln*.so")):
    raise SystemExit("kiln: build/python/kiln has no _kiln extension; run `bash scripts/setup.sh` first")


class BinaryDistribution(Distribution):
    def has_ext_modules(self):  # the wheel holds a compiled extension: tag it for this platform
        return True


setup(
    name="kiln",
    version="0.1.0",
    description="Gluon's hybridization in C++, with MXNet's Python API",
    package_dir={"": os.path.relpath(built, here)},
    packages=find_packages(where=built),  # kiln, kiln.gluon, kiln.gluon.data, ...
    package_data={"kiln": ["_kiln*.so"]},
    python_requires=">=3.11,<3.12",
    distclass=BinaryDistribution,
    # setuptools' own scratch, kept out of the CMake build's folders (build/lib holds kiln's libraries).
    options={"build": {"build_base": os.path.join(os.path.dirname(built), "pip")}},
)
