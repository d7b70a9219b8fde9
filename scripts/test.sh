#!/usr/bin/env bash
# Runs every test project against a real PostgreSQL (started by scripts/pg.sh unless
# ConnectionStrings__ClinicalCds is set) and ends with one line: "N passed, N failed".
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

# What the tests need beside PostgreSQL (scripts/pg.sh installs that): Debian's Chromium for the browser tests
# (Playwright drives it; nothing is downloaded), strace for the test that records the server's connections, and the
# tz database for hospital time zones (the MIMIC-IV tests count New York days), Node.js and npm for the certified OpenID
# provider the hospital sign-in browser test starts (oidc-provider, pinned; installed from the npm registry on first use).
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
[ -x /usr/bin/strace ] || missing+=(strace)
[ -f /usr/share/zoneinfo/America/New_York ] || missing+=(tzdata)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null; } \
      || { echo "could not install ${missing[*]}"; echo "0 passed, 1 failed"; exit 1; }
  else
    echo "The tests need ${missing[*]}: install them (sudo apt-get install ${missing[*]}) or run as root."
    echo "0 passed, 1 failed"
    exit 1
  fi
fi

eval "$(scripts/pg.sh start)" || { echo "0 passed, 1 failed"; exit 1; }
dotnet tool restore >/dev/null

results="$root/artifacts/test-results"
rm -rf "$results" && mkdir -p "$results"
dotnet build ClinicalCds.sln -c Release -nologo -v quiet 2>&1 | grep -E "error|Build succeeded" ; build=${PIPESTATUS[0]}
if [ "$build" -ne 0 ]; then
  echo "build failed"
  echo "0 passed, 1 failed"
  exit 1
fi

status=0
for project in tests/*/*.csproj; do
  name="$(basename "$project" .csproj)"
  dotnet test "$project" -c Release --no-build --logger "trx;LogFileName=$name.trx" --results-directory "$results" || status=1
done

# One summary over all test projects, read from the TRX files.
python3 - "$results" <<'PY' || { grep -ho 'outcome="[A-Za-z]*"' "$results"/*.trx | sort | uniq -c; }
import sys, glob, xml.etree.ElementTree as ET
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
passed = failed = skipped = 0
for f in glob.glob(sys.argv[1] + "/*.trx"):
    c = ET.parse(f).getroot().find("t:ResultSummary/t:Counters", ns)
    passed += int(c.get("passed")); failed += int(c.get("failed")) + int(c.get("error")) + int(c.get("timeout")) + int(c.get("aborted"))
    skipped += int(c.get("notExecuted"))
print(f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
PY
exit $status
