#!/usr/bin/env bash
{{# ci-prairielearn-run-about}}
set -u
root="${PL_GRADE_ROOT:-/grade}"
submission="${SUBMISSION_DIR:-$root/student}"
results="${RESULTS_DIR:-$root/results}"
here="$(cd "$(dirname "$0")" && pwd)"
grade="${GRADE:-$here/grade}"
mkdir -p "$results"
rm -f "$results/results.json"

{{# ci-gradescope-locate}}
locate() {
  local found
  found=$(find "$submission" -type f -path "*/$1" 2>/dev/null | LC_ALL=C sort | head -n 1)
  printf '%s\n' "${found:-$1}"
}

args=()
{{PROGRAMS}}
args+=({{ARGS}})

{{# ci-prairielearn-results}}
cd "$submission" 2>/dev/null || cd "$results"
"$grade" "${args[@]}" --missing-is-failure --report prairielearn="$results/results.json"
exit 0
