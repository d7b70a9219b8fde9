#!/usr/bin/env bash
# bench/hooks: encounter-discharge latency vs GET /health/live on the same server, same load, one run.
# Usage: bench/hooks/run.sh [concurrency] [requests]   (defaults 32 and 4000)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
eval "$(scripts/pg.sh start)"
dotnet run -c Release --project bench/hooks -- "${1:-32}" "${2:-4000}"
