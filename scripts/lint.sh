#!/usr/bin/env bash
# `make lint`: the tree is formatted as `.swift-format` says (swift-format ships with the Swift
# toolchain), and Package.swift declares exactly what each target imports.
#   scripts/lint.sh          check, fail on any difference
#   scripts/lint.sh --fix    format the tree in place
set -euo pipefail
cd "$(dirname "$0")/.."

paths=(Package.swift Sources Tests bench Fuzz/Package.swift Fuzz/Targets)
if [ "${1:-}" = "--fix" ]; then
    swift format format --in-place --recursive --parallel "${paths[@]}"
    exit 0
fi
swift format lint --strict --recursive --parallel "${paths[@]}"
if [ -x scripts/check-imports.sh ]; then
    scripts/check-imports.sh
fi
echo "lint: formatted as .swift-format says; Package.swift matches the imports"
