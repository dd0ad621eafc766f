#!/usr/bin/env bash
# Runs CTest for a preset and ends the output with CTest's summary line ("100% tests passed, 0 tests failed out of
# N"), so a reader (or CI) sees the verdict last. Exits with CTest's status. Also writes the results as JUnit XML to
# build/PRESET/test-results.xml (CI keeps it as an artefact).
set -uo pipefail
preset=${1:?usage: run-tests.sh PRESET [ctest args...]}
shift
root=$(cd "$(dirname "$0")/.." && pwd)
log="$root/build/$preset/ctest-output.log"
cd "$root" || exit 1
ctest --preset "$preset" --output-junit "$root/build/$preset/test-results.xml" "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
summary=$(grep -E '^[0-9]+% tests passed' "$log" | tail -n 1)
if [ -z "$summary" ]; then
  echo "run-tests: CTest printed no summary (status $status)" >&2
  [ "$status" -eq 0 ] && status=1
else
  echo
  echo "$summary"
fi
exit "$status"
