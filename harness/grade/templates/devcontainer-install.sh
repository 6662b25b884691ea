#!/usr/bin/env bash
{{# ci-devcontainer-about}}
set -euo pipefail
dest="${GRADE_DIR:-/usr/local/bin}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

{{DOWNLOAD}}
if [ -w "$dest" ]; then
  install -m 755 grade "$dest/grade"
else
  sudo install -m 755 grade "$dest/grade"
fi
