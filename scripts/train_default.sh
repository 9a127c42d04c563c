#!/usr/bin/env bash
# Rebuilds the shipped default model, models/default/siamese-fast.{onnx,json}:
# the Table 1 data set of the 20-lift world, training (SGD-Nesterov, augmentation, early
# stopping), evaluation on the test split, ONNX export with its parity check.
# About 20 minutes on 2 CPU cores. Work files go to data/world and runs/default (or $RUN).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source .venv/bin/activate
DATA=${DATA:-data/world}
RUN=${RUN:-runs/default}
[ -f "$DATA/manifest.json" ] || liftwatch synth dataset --out "$DATA" --lifts 20
liftwatch train siamese-fast --data "$DATA" --out "$RUN" --epochs 40 --patience 10
liftwatch evaluate siamese-fast --weights "$RUN/best.pt" --data "$DATA" --out "$RUN/eval"
liftwatch export siamese-fast --weights "$RUN/best.pt" --out models/default/siamese-fast.onnx
