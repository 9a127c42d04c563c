#!/usr/bin/env bash
# The trainings that need a GPU, in one go (docs/ACCURACY.md: "On a GPU"):
#
#   * Table 4 at the paper's size: siamese-paper, classifier-paper, vgg16 and resnet50 at
#     200×200 on Table 3's whole train set (36,600 images), tested on the full test split;
#   * the unseen-lift protocol with more synthetic lifts: siamese-fast trained on 55 lifts
#     (lifts 21-60 of a 60-lift world beside the 15 seen ones of the 20-lift world; lifts
#     1, 3, 8, 13 and 20 never), tested on the five unseen lifts of data/world by their masks.
#
# Usage: bash scripts/gpu_runs.sh RESULTS_DIR [MINUTES_PER_TRAINING]
#
# Every training runs at once on the one GPU, each with the time budget (--max-minutes), after a
# one-epoch smoke run of every configuration at 64×64 that stops everything at the first error.
# Environment: DEVICE (cuda; cpu to try the script without a GPU), SCALE (1.0: the data sets'
# train and test scale), INPUT (200: Table 4's input side), EXTRA_LIFTS (60), GEN_WORKERS (5 per data set), THREADS (2 per run),
# DATA (data: where the data sets go), RUNS (runs/gpu), LIFTWATCH (the command; default: this
# checkout's service.cli with python3).
set -uo pipefail

results=$(realpath -m "${1:?usage: bash scripts/gpu_runs.sh RESULTS_DIR [MINUTES_PER_TRAINING]}")
minutes=${2:-5}
device=${DEVICE:-cuda}
scale=${SCALE:-1.0}
extra_lifts=${EXTRA_LIFTS:-60}
gen_workers=${GEN_WORKERS:-5}
threads=${THREADS:-2}
cd "$(dirname "$0")/.."
data=${DATA:-data}
runs=${RUNS:-runs/gpu}
mkdir -p "$results/logs" "$data" "$runs"
lw() {
    if [[ -n "${LIFTWATCH:-}" ]]; then $LIFTWATCH "$@"; else python3 -m service.cli "$@"; fi
}
killtree() {
    local child
    for child in $(pgrep -P "$1"); do killtree "$child"; done
    kill "$1" 2>/dev/null
}
stamp() { echo "[$(date -u +%H:%M:%S)] $*" | tee -a "$results/logs/steps.log"; }

# Run "name command..." lines in the background; wait for all; fail if any failed.
run_all() {
    local -a pids=() names=()
    while IFS= read -r line; do
        [[ -z "$line" ]] && continue
        local name=${line%% *} cmd=${line#* }
        (eval "lw $cmd") >"$results/logs/$name.log" 2>&1 &
        pids+=($!) names+=("$name")
    done
    local failed=0
    for i in "${!pids[@]}"; do
        if ! wait "${pids[$i]}"; then
            stamp "FAILED: ${names[$i]} (see logs/${names[$i]}.log)"
            tail -n 15 "$results/logs/${names[$i]}.log"
            failed=1
        fi
    done
    return $failed
}

unseen=1,3,8,13,20
seen_and_extra="2,4-7,9-12,14-19,21-$extra_lifts"
common="--device $device --threads $threads"
paper="--optimizer adam --lr 1e-4 --input-size ${INPUT:-200}"

stamp "start: device $device, $minutes min per training, scale $scale"
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,memory.total --format=csv |
    tee -a "$results/logs/steps.log"

# 1. the data sets (CPU) while every configuration trains one tiny epoch (GPU)
stamp "data sets and smoke runs"
tiny="synthetic:small:lifts=6,train_scale=0.1,test_scale=0.02"
smoke="--data $tiny --epochs 1 --input-size 64 $common"
gen="--workers $gen_workers --train-scale $scale --test-scale $scale"
(run_all <<EOF
gen-large synth dataset --out $data/large --lifts 20 --variant large $gen
gen-world synth dataset --out $data/world --lifts 20 $gen
gen-extra synth dataset --out $data/world$extra_lifts --lifts $extra_lifts --test-scale 0.01 --workers $gen_workers
EOF
) &
gen_pid=$!
if ! run_all <<EOF
smoke-siamese-paper train siamese-paper $smoke --optimizer adam --out $runs/smoke-sp
smoke-classifier-paper train classifier-paper $smoke --optimizer adam --out $runs/smoke-cp
smoke-vgg16 train vgg16 $smoke --optimizer adam --batch-size 64 --out $runs/smoke-vgg
smoke-resnet50 train resnet50 $smoke --optimizer adam --batch-size 64 --out $runs/smoke-rn
smoke-fast train siamese-fast $smoke --val-lifts 2 --augment-lifts --max-minutes 1 --out $runs/smoke-fast
EOF
then
    stamp "smoke runs failed: stopping"
    killtree "$gen_pid"
    exit 1
fi
if ! run_all <<EOF
smoke-eval-fast evaluate siamese-fast --weights $runs/smoke-fast/best.pt --data $tiny --device $device --out $runs/smoke-fast/eval
smoke-eval-vgg16 evaluate vgg16 --weights $runs/smoke-vgg/best.pt --data $tiny --device $device --out $runs/smoke-vgg/eval
EOF
then
    stamp "smoke evaluation failed: stopping"
    exit 1
fi
wait $gen_pid || { stamp "data generation failed: stopping"; exit 1; }

# 2. every training at once, each with the time budget
stamp "training"
budget="--max-minutes $minutes --epochs 500 --patience 20 $common"
run_all <<EOF
train-siamese-paper train siamese-paper --data $data/large $paper $budget --out $runs/large-siamese-200
train-classifier-paper train classifier-paper --data $data/large $paper $budget --out $runs/large-classifier-200
train-vgg16 train vgg16 --data $data/large $paper --batch-size 64 $budget --out $runs/large-vgg16-200
train-resnet50 train resnet50 --data $data/large $paper --batch-size 64 $budget --out $runs/large-resnet50-200
train-fast-vallifts train siamese-fast --data $data/world$extra_lifts --lifts $seen_and_extra --val-lifts 10 --augment-lifts --seed 1 $budget --out $runs/fast-55-vallifts
train-fast-val train siamese-fast --data $data/world$extra_lifts --lifts $seen_and_extra --augment-lifts --seed 1 $budget --out $runs/fast-55
EOF
stamp "training done (status $?)"

# 3. evaluations, whatever finished
stamp "evaluation"
{
    for run in large-siamese-200:siamese-paper large-classifier-200:classifier-paper \
        large-vgg16-200:vgg16 large-resnet50-200:resnet50; do
        dir=${run%%:*} model=${run#*:}
        [[ -f $runs/$dir/best.pt ]] &&
            echo "eval-$dir evaluate $model --weights $runs/$dir/best.pt --data $data/large --device $device --out $runs/$dir/eval"
    done
    for dir in fast-55-vallifts fast-55; do
        for which in best last; do
            [[ -f $runs/$dir/$which.pt ]] &&
                echo "eval-$dir-$which evaluate siamese-fast --weights $runs/$dir/$which.pt --data $data/world --lifts $unseen --device $device --out $runs/$dir/unseen-$which"
        done
    done
} | run_all
stamp "evaluation done (status $?)"

# 4. what comes back: logs, configs, evaluations and the small siamese-fast weights
for dir in "$runs"/large-* "$runs"/fast-55*; do
    [[ -d $dir ]] || continue
    keep="$results/$(basename "$dir")"
    mkdir -p "$keep"
    (cd "$dir" && find . -maxdepth 2 \( -name '*.json' -o -name '*.jsonl' -o -name '*.md' \
        -o -name '*.csv' -o -name '*.png' \) -print0 | xargs -0 -r cp --parents -t "$keep")
done
for dir in "$runs"/fast-55*; do
    [[ -f $dir/best.pt ]] && cp "$dir/best.pt" "$dir/last.pt" "$results/$(basename "$dir")/"
done
stamp "done"
