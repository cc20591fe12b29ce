# lit configuration for kiln's .mlir tests (run through kiln-opt and FileCheck). ctest passes the
# build directory and LLVM's tool directory as lit parameters (tests/CMakeLists.txt).
import os
import lit.formats

config.name = "kiln"
config.test_format = lit.formats.ShTest(True)
config.suffixes = [".mlir"]
config.test_source_root = os.path.dirname(__file__)
binary_dir = lit_config.params["kiln_binary_dir"]
config.test_exec_root = os.path.join(binary_dir, "tests", "lit")
config.environment["PATH"] = os.pathsep.join(
    [os.path.join(binary_dir, "bin"), lit_config.params["llvm_tools_dir"], config.environment.get("PATH", "")])
