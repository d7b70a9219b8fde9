#!/usr/bin/env bash
# bench/population: a population run end to end over 100,000 synthetic patients (10 copies of a 10,000-patient
# population), with 1 and 2 worker processes, beside COPY of the same projection rows, in one run.
# Usage: bench/population/run.sh [copies]   (the first run imports and copies the population once)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
eval "$(scripts/pg.sh start)"
dotnet build src/ClinicalCds.Cli -c Release -nologo -v quiet
dotnet run -c Release --project bench/population -- "${1:-10}" "$root/src/ClinicalCds.Cli/bin/Release/net10.0/clinicalcds.dll"
