#!/bin/sh
# Seeds both fuzz corpora with the project's own schemas (copied, not committed).
set -e
cd "$(dirname "$0")/.."
for target in parse_validate render; do
    mkdir -p "fuzz/corpus/$target"
    find tests/schemas tests/roundtrip/schema.widl tests/go/names.widl tests/fuzz_regressions \
        -name '*.widl' -type f 2>/dev/null |
        while read -r file; do
            cp "$file" "fuzz/corpus/$target/seed-$(echo "$file" | tr '/' '_')"
        done
done
