#!/usr/bin/env bash
# The demo: a local PostgreSQL, the migrations, a synthetic population (imported when the store is empty),
# then the server. Ctrl-C stops the server; `scripts/pg.sh stop` stops PostgreSQL.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
patients="${DEMO_PATIENTS:-3000}"
urls="${DEMO_URLS:-http://127.0.0.1:5080}"

eval "$(scripts/pg.sh start)"
dotnet build src/ClinicalCds.Cli -c Release -nologo -v quiet
cli=(dotnet "src/ClinicalCds.Cli/bin/Release/net10.0/clinicalcds.dll")

"${cli[@]}" db migrate
population="$root/.data/synthetic-$patients"
[ -f "$population/Patient.ndjson" ] || "${cli[@]}" synth --patients "$patients" --seed 42 --out "$population"
"${cli[@]}" import --if-store-empty "$population"

# The demo's hooks read the synthetic population from the store when a call brings no data of its own.
export CdsHooks__PublicBaseUrl="${CdsHooks__PublicBaseUrl:-$urls}"
export CdsHooks__StoreFallback="${CdsHooks__StoreFallback:-true}"

echo
echo "ClinicalCds is starting on $urls"
echo "  FHIR API:        $urls/fhir/metadata"
echo "  Patients:        $urls/fhir/Patient?_count=10"
echo "  CDS Hooks:       $urls/cds-services   (calls need a trusted client JWT; see cds-hooks/README.md,"
echo "                   or run with CdsHooks__RequireAuthentication=false for a local try)"
echo "Stop with Ctrl-C."
exec "${cli[@]}" serve --urls "$urls"
