#!/usr/bin/env bash
# siamese-fast trained on the Table 1 data set plus registered crops of station videos
# (docs/ACCURACY.md, "Training on video crops"):
#   1. films two training videos per lift (seeds 202 and 303, 10 passages each, half leaving
#      open; never the seed-101 videos scripts/pipeline_accuracy.sh scores), once, under
#      data/stations-train;
#   2. `liftwatch harvest`: replays them with the shipped model, labels the crops by the truth,
#      keeps 100 per lift (half open) and writes data/world-video = data/world + those crops;
#   3. fine-tunes siamese-fast on it from the checkpoint $INIT (the 55-lift model of
#      scripts/gpu_runs.sh, runs/gpu/fast-55/last.pt; trained from scratch on this data set the
#      network sat at the collapsed embedding for 7 epochs, loss 0.244, and was stopped), at
#      lr 0.01 for up to 12 epochs, evaluates it on the test split and exports it to
#      $RUN/model.onnx (not over the shipped model).
# About 40 minutes on 2 CPU cores once the videos are filmed.
# Usage: INIT=runs/gpu/fast-55/last.pt bash scripts/train_video_crops.sh  (RUN=runs/video-crops)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source .venv/bin/activate
DATA=${DATA:-data/world}
OUT=${OUT:-data/world-video}
RUN=${RUN:-runs/video-crops}
INIT=${INIT:?give INIT=CHECKPOINT.pt to fine-tune from (e.g. runs/gpu/fast-55/last.pt)}
[ -f "$DATA/manifest.json" ] || liftwatch synth dataset --out "$DATA" --lifts 20
stations=()
for seed in 202 303; do
  for lift in $(seq 1 20); do
    dir=data/stations-train/S$seed-L$(printf %02d "$lift")
    [ -f "$dir/truth.json" ] || liftwatch synth video --lift "$lift" --passages 10 \
      --seed "$seed" --violation-rate 0.5 --out "$dir"
    stations+=("$dir")
  done
done
[ -f "$OUT/manifest.json" ] ||
  liftwatch harvest "${stations[@]}" --base "$DATA" --out "$OUT" --per-lift 100 --seed 0
liftwatch train siamese-fast --data "$OUT" --out "$RUN" --init "$INIT" --lr 0.01 --epochs 12 \
  --patience 5
liftwatch evaluate siamese-fast --weights "$RUN/best.pt" --data "$OUT" --out "$RUN/eval"
liftwatch export siamese-fast --weights "$RUN/best.pt" --out "$RUN/model.onnx"
