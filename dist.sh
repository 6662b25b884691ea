#!/usr/bin/env bash
# Builds the portable release binary of `grade` into dist/:
#   dist/grade-x86_64-linux-gnu         x86_64 Linux, needs glibc 2.17 or later
#   dist/grade-x86_64-linux-gnu.sha256  its checksum (`sha256sum -c` in dist/)
# with zig as the linker (cargo-zigbuild), against glibc 2.17's symbols and the
# installed Rust standard library. It installs nothing: it says what is missing.
# The release workflow (`grade ci github --release-workflow`) runs this script;
# harness/grade/tests/integration/portable.rs checks what it builds.
set -euo pipefail
cd "$(dirname "$0")"

target=x86_64-unknown-linux-gnu
glibc=2.17
name=grade-x86_64-linux-gnu

missing=()
if ! command -v zig >/dev/null && ! python3 -c 'import ziglang' 2>/dev/null; then
  missing+=("zig: pip install ziglang")
fi
command -v cargo-zigbuild >/dev/null || missing+=("cargo-zigbuild: cargo install --locked cargo-zigbuild")
if ((${#missing[@]})); then
  echo "dist.sh: missing tools, install them first:" >&2
  printf '  %s\n' "${missing[@]}" >&2
  exit 1
fi

cargo zigbuild --release --locked -p grade --target "$target.$glibc"
target_dir=$(cargo metadata --format-version 1 --no-deps |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
mkdir -p dist
cp "$target_dir/$target/release/grade" "dist/$name.tmp"
mv "dist/$name.tmp" "dist/$name"
(cd dist && sha256sum "$name" >"$name.sha256")
echo "dist/$name"
echo "dist/$name.sha256"
