#!/usr/bin/env bash
# Replays station videos with the registrar's min_score rewritten and scores them against their
# truth: how a lower or higher threshold trades missed passages for spurious ones.
# Usage: bash scripts/min_score_sweep.sh MIN_SCORE OUT STATION_DIR...
#   (each STATION_DIR written by `liftwatch synth video`: station.yaml, truth.json, masks/)
# Writes STATION_DIR/station-msMIN_SCORE.yaml beside each config, OUT/<station>.json per replay
# and OUT/score.json; prints the total.
set -euo pipefail
cd "$(dirname "$0")/.."
ms=${1:?usage: bash scripts/min_score_sweep.sh MIN_SCORE OUT STATION_DIR...}
out=${2:?usage: bash scripts/min_score_sweep.sh MIN_SCORE OUT STATION_DIR...}
shift 2
mkdir -p "$out"
results=() truths=()
for dir in "$@"; do
  name=$(basename "$dir")
  sed "s/^\( *\)min_score: .*/\1min_score: $ms/" "$dir/station.yaml" >"$dir/station-ms$ms.yaml"
  .venv/bin/liftwatch replay --station "$dir/station-ms$ms.yaml" --out "$out/$name.json" \
    --threads 1 >/dev/null
  results+=("$out/$name.json") truths+=(--truth "$dir/truth.json")
done
.venv/bin/liftwatch score "${results[@]}" "${truths[@]}" --json "$out/score.json" | tail -n 7
