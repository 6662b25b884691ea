#!/usr/bin/env bash
{{# ci-gradescope-setup-about}}
set -euo pipefail
cd "$(dirname "$0")"

apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 gcc

if [ ! -x ./grade ]; then
  echo "setup.sh: no grade binary in the bundle: make it with 'grade ci gradescope --dir DIR' and zip DIR" >&2
  exit 1
fi
install -m 755 ./grade /usr/local/bin/grade
chmod +x ./run_autograder
