#!/usr/bin/env bash
{{# ci-gradescope-setup-about}}
set -euo pipefail
cd "$(dirname "$0")"

need=()
command -v python3 >/dev/null || need+=(python3)
command -v gcc >/dev/null || need+=(gcc)
command -v curl >/dev/null || need+=(curl ca-certificates)
if ((${#need[@]})); then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
fi

{{DOWNLOAD}}
chmod +x ./run_autograder
