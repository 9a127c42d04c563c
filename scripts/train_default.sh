#!/usr/bin/env bash
# Rebuilds the shipped default model, models/default/siamese-fast.{onnx,json}
# (docs/ACCURACY.md, "Reproducing the shipped model"), in two stages:
#   1. siamese-fast on 55 synthetic lifts (the 15 seen lifts of data/world and lifts 21-60 of a
#      60-lift world of the same world seed), lift warps on, 40 epochs, seed 1 (on a GPU about
#      8 minutes; on 2 CPU cores some hours): runs/fast-55/last.pt;
#   2. scripts/train_video_crops.sh: fine-tuned from it on data/world plus 2,000 registered crops
#      of 40 training station videos (seeds 202 and 303, never the scored seed-101 videos), at
#      lr 0.01, early stopping on data/world's val split; evaluated on its test split.
# Then exported over the shipped files, with the export's parity check.
# Work files go to data/ and runs/ (RUN=runs/default for stage 2).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source .venv/bin/activate
RUN=${RUN:-runs/default}
[ -f data/world/manifest.json ] || liftwatch synth dataset --out data/world --lifts 20
[ -f data/world60/manifest.json ] ||
  liftwatch synth dataset --out data/world60 --lifts 60 --test-scale 0.01
[ -f runs/fast-55/last.pt ] ||
  liftwatch train siamese-fast --data data/world60 --lifts 2,4-7,9-12,14-19,21-60 \
    --augment-lifts --seed 1 --epochs 40 --patience 100 --out runs/fast-55
INIT=runs/fast-55/last.pt RUN="$RUN" bash scripts/train_video_crops.sh
liftwatch export siamese-fast --weights "$RUN/best.pt" --out models/default/siamese-fast.onnx
