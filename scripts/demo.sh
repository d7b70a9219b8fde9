#!/usr/bin/env bash
# The demo: a local PostgreSQL, the migrations, a synthetic population (imported when the store is empty),
# then the server. Ctrl-C stops the server; `scripts/pg.sh stop` stops PostgreSQL.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
patients="${DEMO_PATIENTS:-2000}"
urls="${DEMO_URLS:-http://127.0.0.1:5080}"

# One story: the demo's population is a hospital's active patients today — in hospital now or discharged in the last
# 30 days — with three years of history ending at the minute the day's demo first starts, so that its inpatients'
# charts are current when it is scored (a chart that ended at midnight has no vital signs of the last 24 h by the
# evening). Hooks, the CLI, the worklist and the nightly jobs all judge against the clock (no Scoring__AsOf), so they
# agree. Each day's demo has its own population and database.
day="$(date -u +%Y-%m-%d)"
export CLINICALCDS_DB="${CLINICALCDS_DB:-clinicalcds_demo_${day//-/}}"
eval "$(scripts/pg.sh start)"
dotnet build src/ClinicalCds.Cli -c Release -nologo -v quiet
cli=(dotnet "src/ClinicalCds.Cli/bin/Release/net10.0/clinicalcds.dll")

"${cli[@]}" db migrate
population="$root/.data/demo-$day-$patients"
# Earlier days' populations go; the demo accounts' password stays (a restart must print the one that still signs in).
find "$root/.data" -maxdepth 1 -name 'demo-*' ! -name "demo-$day-*" ! -name demo-password -exec rm -rf {} + 2>/dev/null || true
[ -f "$population/Patient.ndjson" ] || "${cli[@]}" synth --patients "$patients" --recent-care 30 --as-of "$(date -u +%Y-%m-%dT%H:%M:00Z)" --seed 42 --out "$population"
"${cli[@]}" import --if-store-empty "$population"

# The server runs the nightly jobs itself here (a production layout runs `clinicalcds worker` processes instead;
# docs/operations.md).
export Jobs__RunServerInApi="${Jobs__RunServerInApi:-true}"
[ -s .data/admin-key ] || head -c 24 /dev/urandom | base64 | tr -d '/+=' > .data/admin-key
export Admin__ApiKeys__0="${Admin__ApiKeys__0:-$(cat .data/admin-key)}"
"${cli[@]}" score --cohort all --wait

# Demo accounts, created at start when missing; their passwords are generated once and kept in .data/.
[ -s .data/demo-password ] || head -c 18 /dev/urandom | base64 | tr -d '/+=' > .data/demo-password
export Auth__SeedUsers__0__Email=care.manager@demo.local Auth__SeedUsers__0__Role=care-manager
export Auth__SeedUsers__1__Email=admin@demo.local Auth__SeedUsers__1__Role=admin
export Auth__SeedUsers__0__Password="$(cat .data/demo-password)" Auth__SeedUsers__1__Password="$(cat .data/demo-password)"

# The demo's hooks read the synthetic population from the store when a call brings no data of its own.
export CdsHooks__PublicBaseUrl="${CdsHooks__PublicBaseUrl:-$urls}"
# Only these Host headers are answered (links never name another): the demo's own host, by name or number.
demo_host="${urls#*://}"; demo_host="${demo_host%%[:/]*}"
export AllowedHosts="${AllowedHosts:-$demo_host;localhost;127.0.0.1}"
export CdsHooks__StoreFallback="${CdsHooks__StoreFallback:-true}"
# The shipped models are validated on no hospital's patients, so in production they would run silent (scored, no card)
# until `clinicalcds models go-live`. The demo turns that gate off, and each model card says so.
export Models__GoLive__Required="${Models__GoLive__Required:-false}"

echo
echo "ClinicalCds is starting on $urls"
echo "  Worklist:        $urls/worklist   (care.manager@demo.local or admin@demo.local,"
echo "                   password: $(cat .data/demo-password))"
echo "  FHIR API:        $urls/fhir/metadata"
echo "  Patients:        $urls/fhir/Patient?_count=10"
if [ "${CdsHooks__RequireAuthentication:-true}" = "false" ]; then
  echo "  CDS Hooks:       $urls/cds-services   (client authentication is OFF: any caller is answered)"
else
  echo "  CDS Hooks:       $urls/cds-services   (calls need a trusted client JWT; see cds-hooks/README.md,"
  echo "                   or run with CdsHooks__RequireAuthentication=false for a local try)"
fi
echo "  Risk history:    $urls/fhir/RiskAssessment?patient=ID"
echo "  Example calls:   cds-hooks/examples/*.json (real requests against today's demo patients; cds-hooks/README.md)"
echo "  Jobs dashboard:  $urls/jobs and admin API $urls/admin/scoring/runs"
echo "                   (Authorization: Bearer \$(cat .data/admin-key))"
echo "  Go-live gate:    off for the demo (Models__GoLive__Required=false): model cards say the models"
echo "                   were not validated here; in production a version shows cards only once it goes live."
echo "Stop with Ctrl-C."
exec "${cli[@]}" serve --urls "$urls"
