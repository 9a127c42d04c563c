#!/usr/bin/env bash
# The pipeline's alarm accuracy over synthetic station videos (docs/ACCURACY.md, "Alarms"):
# films one station video per lift (once; kept under data/stations), replays each through the
# whole pipeline (registration, passages, the classifier, the alarm rule) and scores the alarms
# against the ground truth. Usage:
#   bash scripts/pipeline_accuracy.sh [LIFTS] [PASSAGES] [OUT] [extra replay options...]
# defaults: lifts 1-20, 22 passages each, half of them leaving with the bar open, out
# runs/pipeline-accuracy. Extra options go to `liftwatch replay` (e.g. --model FILE.onnx).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
LIFTS=${1:-$(seq -s, 1 20)}
PASSAGES=${2:-22}
OUT=${3:-runs/pipeline-accuracy}
shift $(( $# < 3 ? $# : 3 ))
mkdir -p "$OUT"
results=() truths=()
for lift in ${LIFTS//,/ }; do
  station=data/stations/L$(printf %02d "$lift")
  if [ ! -f "$station/truth.json" ]; then
    .venv/bin/liftwatch synth video --lift "$lift" --passages "$PASSAGES" --seed 101 \
      --violation-rate 0.5 --out "$station"
  fi
  result="$OUT/L$(printf %02d "$lift").json"
  .venv/bin/liftwatch replay --station "$station/station.yaml" --out "$result" "$@"
  results+=("$result") truths+=(--truth "$station/truth.json")
done
.venv/bin/liftwatch score "${results[@]}" "${truths[@]}" --json "$OUT/score.json"
