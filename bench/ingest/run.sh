#!/usr/bin/env bash
# bench/ingest: ours vs a bare COPY of the same NDJSON lines, in one run. Usage: bench/ingest/run.sh [patients]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
eval "$(scripts/pg.sh start)"
dotnet run -c Release --project bench/ingest -- "${1:-10000}"
