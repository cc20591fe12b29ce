#!/usr/bin/env bash
# Builds kiln with sanitizers and runs the suite there.
#   scripts/sanitize.sh [address,undefined | thread] [BUILD_DIR]
# "address,undefined" (the default) is AddressSanitizer + UBSan + LeakSanitizer in build-asan/;
# "thread" is ThreadSanitizer in build-tsan/, over the suites whose tests use threads.
# Expects scripts/setup.sh to have installed the packages. Uses ccache like the main build.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
sanitize=${1:-address,undefined}
case "$sanitize" in
  address,undefined) build=${2:-$root/build-asan} ;;
  thread) build=${2:-$root/build-tsan} ;;
  *) echo "sanitize.sh: unknown sanitizer set '$sanitize' (address,undefined | thread)" >&2; exit 2 ;;
esac
export CCACHE_BASEDIR=$root CCACHE_NOHASHDIR=1
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKILN_SANITIZE="$sanitize" \
  -DCMAKE_CXX_COMPILER_LAUNCHER=ccache >/dev/null
if [ "$sanitize" = thread ]; then
  # Only the suites whose tests use threads (the ones ctest runs below), and what they link.
  targets=$(grep -lE 'TEST(_F|_P)?\([A-Za-z]+, [A-Za-z]*(Concurrent|Threads)' "$root"/tests/*.cc | xargs -n1 basename | sed 's/\.cc$//')
  cmake --build "$build" --target $targets
else
  cmake --build "$build"
fi
# allocator_may_return_null: a refused allocation returns null as in a normal build (kiln then
# throws MemoryError) instead of ASan aborting on sizes it cannot serve.
export ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1:detect_stack_use_after_return=0
export LSAN_OPTIONS=suppressions=$root/tests/sanitizers/lsan.supp:print_suppressions=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1:suppressions=$root/tests/sanitizers/tsan.supp
if [ "$sanitize" = thread ]; then
  # The tests that run kiln on several threads at once. oneDNN's OpenMP team is kept to one
  # thread: TSan does not see libgomp's synchronisation and would report its barriers as races.
  export OMP_NUM_THREADS=1
  ctest --test-dir "$build" --output-on-failure -R 'Concurrent|Threads'
else
  ctest --test-dir "$build" --output-on-failure
fi
