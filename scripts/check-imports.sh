#!/usr/bin/env bash
# Package.swift tells the truth: for every Swift target, the modules its files import (ours and
# our packages') must be exactly the dependencies Package.swift declares for it. Prints each
# difference as `target: what is wrong — what to do` and exits 1; silent with exit 0 when all agree.
# Run by `make lint`. Needs swift (for `swift package dump-package`) and jq.
set -euo pipefail
cd "$(dirname "$0")/.."

# Modules of the toolchain and the system: imported freely, never declared.
toolchain='^(Foundation|FoundationEssentials|FoundationNetworking|FoundationXML|CoreFoundation|Glibc|Musl|Darwin|Dispatch|Synchronization|Observation|Testing|XCTest|_Concurrency|os)$'

manifest="$(swift package dump-package)"
status=0

# One line per Swift target: name, type, folder, declared dependencies (target or product names).
while IFS='|' read -r name type path declared; do
    [[ "$type" == system ]] && continue
    if [[ "$path" == - ]]; then
        case "$type" in
            test) path="Tests/$name" ;;
            *) path="Sources/$name" ;;
        esac
    fi
    [[ -d "$path" ]] || { echo "$name: folder $path is missing — fix its path in Package.swift"; status=1; continue; }
    # C targets (no Swift files) include headers, not modules: nothing to compare.
    if [[ -z "$(find "$path" -name '*.swift' -print -quit)" ]]; then continue; fi

    # `import X`, `@testable import X`, `internal import X`, `import struct X.Y`, … at a line's start
    # (a Swift import is never indented; an indented one is another language's text in a string).
    imported="$(find "$path" -name '*.swift' -exec grep -hE '^(@[A-Za-z_]+[[:space:]]+)*((public|package|internal|fileprivate|private)[[:space:]]+)?import[[:space:]]' {} + \
        | sed -E 's/^(@[A-Za-z_]+[[:space:]]+)*((public|package|internal|fileprivate|private)[[:space:]]+)?import[[:space:]]+((struct|class|enum|protocol|typealias|func|var|let)[[:space:]]+)?([A-Za-z0-9_]+).*/\6/' \
        | grep -vE "$toolchain" | sort -u || true)"
    declared="$(tr ' ' '\n' <<<"$declared" | grep -v '^$' | sort -u || true)"

    missing="$(comm -23 <(echo "$imported") <(echo "$declared") | grep -v '^$' || true)"
    unused="$(comm -13 <(echo "$imported") <(echo "$declared") | grep -v '^$' || true)"
    if [[ -n "$missing" ]]; then
        echo "$name: imports $(echo $missing | sed 's/ /, /g') without declaring it — add it to the target's dependencies in Package.swift"
        status=1
    fi
    if [[ -n "$unused" ]]; then
        echo "$name: declares $(echo $unused | sed 's/ /, /g') but no file imports it — remove it from the target's dependencies in Package.swift"
        status=1
    fi
done < <(jq -r '.targets[] | [
        .name, .type, (.path // "-"),
        ([.dependencies[] | (.byName // .target // .product) | .[0]] | join(" "))
    ] | join("|")' <<<"$manifest")

exit $status
