#!/usr/bin/env bash
# bench/models: model runtime vs raw ONNX Runtime (batch 1 and 1024) and TreeSHAP explanations/s, one run.
# Usage: bench/models/run.sh MODEL_FOLDER [seconds]   (MODEL_FOLDER from `clinicalcds train`, see models/README.md)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
dotnet run -c Release --project bench/models -- "$@"
