#!/usr/bin/env bash
# bench/features: feature building from PostgreSQL vs merely reading the same projection rows, in one run.
# Usage: bench/features/run.sh [patients] [rounds]   (the first run imports the population once)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
eval "$(scripts/pg.sh start)"
dotnet run -c Release --project bench/features -- "${1:-10000}" "${2:-3}"
