#!/usr/bin/env bash
# bench/load: a fixed-rate soak of patient-view hook calls against a `clinicalcds serve` process, beside the no-op
# floor at the same rate, with p50/p99 and errors per minute and the server's memory after minute 1 and at the end.
# Usage: bench/load/run.sh [requests/s] [minutes] [patients]   (defaults 200, 10 and 2,000)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
eval "$(scripts/pg.sh start)"
dotnet build src/ClinicalCds.Cli -c Release -nologo -v quiet
dotnet run -c Release --project bench/load -- "${1:-200}" "${2:-10}" "${3:-2000}" "$root/src/ClinicalCds.Cli/bin/Release/net10.0/clinicalcds.dll"
