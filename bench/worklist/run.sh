#!/usr/bin/env bash
# bench/worklist: server time of the worklist queries with 100,000 scored patients (bench/population's database).
# Usage: bench/worklist/run.sh [database] [extra copies]   (run bench/population/run.sh once first; with extra copies,
#        a copy of the database gets that many more copies of its 10,000 original patients, e.g. 2 for > 100,000 stays)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
eval "$(scripts/pg.sh start)"
dotnet run -c Release --project bench/worklist -- "${1:-bench_population_100000}" "${2:-0}"
