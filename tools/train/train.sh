#!/bin/sh
# SPDX-License-Identifier: AGPL-3.0-or-later
# The whole model pipeline in one command (called by `make train`):
#   venv + pinned requirements -> train recognizer and detector -> export chalkline-nn files and
#   golden files into Sources/PlateReading/Resources, and the layout prior (layouts.json) -> end-to-end
#   PyTorch evaluation on plates-us-dev.
# Environment: TRAIN_DIR (venv, checkpoints, logs; default /work/dev/train), EXPORT_DIR, REC_STEPS, DET_STEPS,
# THREADS (torch threads per trainer, default 1), SKIP_EVAL=1, MINUTES (wall-clock budget per trainer:
# the learning rate follows elapsed time; 0 = by steps), RESUME=1 (warm-start from the checkpoints in
# $TRAIN_DIR/ckpt, as the shipped weights were, or from the shipped weights where there are none), LR (peak learning rate, default 2e-3; 1e-3 to resume),
# EMA (decay of the weights' moving average that is kept instead of the raw weights; default 0.999, 0 = off).
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
TRAIN_DIR=${TRAIN_DIR:-/work/dev/train}
REC_STEPS=${REC_STEPS:-5000}
DET_STEPS=${DET_STEPS:-4000}
THREADS=${THREADS:-1}
MINUTES=${MINUTES:-0}
LR=${LR:-2e-3}
EMA=${EMA:-0.999}
REC_FROM=""
DET_FROM=""
SHIPPED="$ROOT/Sources/PlateReading/Resources"
# EXPORT_DIR: where the new weights go (default: over the shipped ones); a folder elsewhere lets
# `chalkline bench --only plates --models DIR` compare them before they replace what ships.
OUT=${EXPORT_DIR:-$SHIPPED}
mkdir -p "$OUT"
if [ "${RESUME:-0}" = 1 ]; then
  for m in recognizer detector; do
    if [ -f "$TRAIN_DIR/ckpt/$m.pt" ]; then
      cp "$TRAIN_DIR/ckpt/$m.pt" "$TRAIN_DIR/ckpt/$m.start.pt"
      from="$TRAIN_DIR/ckpt/$m.start.pt"
    else
      # a new machine: start from the shipped weights (their batch norm is rebuilt from the folded files)
      mkdir -p "$TRAIN_DIR/ckpt"
      cp "$SHIPPED/$m.json" "$SHIPPED/$m.bin" "$TRAIN_DIR/ckpt/"
      from="$TRAIN_DIR/ckpt/$m"
    fi
    if [ $m = recognizer ]; then REC_FROM="--resume $from"; else DET_FROM="--resume $from"; fi
  done
fi
DEV=${PLATES_DEV:-/work/shared/data/plates-us-dev}
mkdir -p "$TRAIN_DIR/ckpt"
"$ROOT/tools/deps.sh" train
if [ ! -x "$TRAIN_DIR/venv/bin/python" ]; then
  python3 -m venv "$TRAIN_DIR/venv"
fi
"$TRAIN_DIR/venv/bin/pip" install -q -r "$HERE/requirements.txt"
PY="$TRAIN_DIR/venv/bin/python"
cd "$HERE"
echo "training recognizer ($REC_STEPS steps) and detector ($DET_STEPS steps); logs in $TRAIN_DIR"
"$PY" train_recognizer.py --out "$TRAIN_DIR/ckpt/recognizer.pt" --steps "$REC_STEPS" --batch 32 --lr "$LR" \
  --minutes "$MINUTES" --ema "$EMA" $REC_FROM --threads "$THREADS" > "$TRAIN_DIR/recognizer.log" 2>&1 &
REC=$!
"$PY" train_detector.py --out "$TRAIN_DIR/ckpt/detector.pt" --steps "$DET_STEPS" --lr "$LR" \
  --minutes "$MINUTES" --ema "$EMA" $DET_FROM --threads "$THREADS" > "$TRAIN_DIR/detector.log" 2>&1 &
DET=$!
wait $REC
wait $DET
tail -n 2 "$TRAIN_DIR/recognizer.log" "$TRAIN_DIR/detector.log"
"$PY" export.py --out "$OUT" --recognizer "$TRAIN_DIR/ckpt/recognizer.pt" --detector "$TRAIN_DIR/ckpt/detector.pt"
"$PY" layouts.py --out "$OUT"
if [ "${SKIP_EVAL:-0}" != 1 ] && [ -f "$DEV/groundtruth.tsv" ]; then
  "$PY" evaluate.py --detector "$TRAIN_DIR/ckpt/detector.pt" --recognizer "$TRAIN_DIR/ckpt/recognizer.pt" \
    --images "$DEV" --pred "$TRAIN_DIR/pred-dev.tsv"
  python3 "$ROOT/../shared/tools/score-plates.py" --fold-o0 "$TRAIN_DIR/pred-dev.tsv" "$DEV/groundtruth.tsv" || true
fi
