#!/usr/bin/env bash
# Films the tuning ("training") station videos that pipeline changes are chosen on, never the
# scored ones of scripts/pipeline_accuracy.sh (seed 101): one video per lift, 22 passages, half
# leaving with the bar open, another seed. Lifts already filmed are kept. Usage:
#   bash scripts/film_training_videos.sh [LIFTS] [SEED]
# defaults: lifts 1-20, seed 202; into data/stations-train/S<SEED>-L<NN>. Then, for example:
#   bash scripts/min_score_sweep.sh 0.4 runs/tuning data/stations-train/S202-*
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
LIFTS=${1:-$(seq -s, 1 20)}
SEED=${2:-202}
for lift in ${LIFTS//,/ }; do
  out=data/stations-train/S$SEED-L$(printf %02d "$lift")
  if [ ! -f "$out/truth.json" ]; then
    .venv/bin/liftwatch synth video --lift "$lift" --passages 22 --seed "$SEED" \
      --violation-rate 0.5 --out "$out"
  fi
done
