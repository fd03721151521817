#!/bin/bash
# Regenerates the committed models (or resumes them: checkpoints in models/.cache/).
#   models/train.sh [recognizer-minutes] [detector-minutes] [second-recognizer-minutes] [second-recognizer-more-minutes]
#   REC_INIT=models/platerec/platerec.onnx models/train.sh 120 0   # continue from the committed recogniser
# Each step prints its progress; logs also go to models/.cache/*/train.log. CPU only, 2 threads.
# REC_INIT starts a new recogniser run from an exported model instead of random weights (ignored
# when a checkpoint exists): the committed platerec is two such runs (models/platerec/CARD.md).
# A detector budget of 0 skips the detector. The second recogniser (platerec-b, the default reader's
# other opinion) continues the first one with crops framed as loosely as the detector frames real
# plates (--framing loose), in two legs, the second at half the learning rate; a budget of 0 skips it. Where ../shared/datasets/openimages-plates exists, 15% of
# each recogniser batch are its plates read by hand (models/train/labels/); without it, synthetic only.
set -eo pipefail  # a failed training step stops the script, though its output goes through tee
cd "$(dirname "$0")/.."
REC_MIN=${1:-118}
DET_MIN=${2:-60}
REC_B_MIN=${3:-65}
REC_B2_MIN=${4:-60}
mkdir -p models/.cache/platerec models/.cache/platedet models/.cache/platerec-b models/.cache/platerec-b2
node --import tsx models/render/export.ts --plates 12000 --seed 7
if [ -n "$REC_INIT" ]; then
  cp "$REC_INIT" models/.cache/platerec/init.onnx
  set -- --init-onnx models/.cache/platerec/init.onnx --lr 1e-3 --warmup 50
else
  set --
fi
nice -n 10 /usr/bin/python3 models/train/train_rec.py --minutes "$REC_MIN" "$@" 2>&1 | tee -a models/.cache/platerec/train.log
/usr/bin/python3 models/train/export_rec.py
if [ "$REC_B_MIN" != 0 ]; then
  nice -n 10 /usr/bin/python3 models/train/train_rec.py --minutes "$REC_B_MIN" --init-onnx models/platerec/platerec.onnx \
    --lr 1e-3 --warmup 50 --framing loose --out models/.cache/platerec-b 2>&1 | tee -a models/.cache/platerec-b/train.log
  /usr/bin/python3 models/train/export_rec.py --ckpt models/.cache/platerec-b/last.pt --name platerec-b
  if [ "$REC_B2_MIN" != 0 ]; then
    /usr/bin/python3 models/train/export_rec.py --ckpt models/.cache/platerec-b/last.pt --name first-leg --out models/.cache/platerec-b2
    nice -n 10 /usr/bin/python3 models/train/train_rec.py --minutes "$REC_B2_MIN" --init-onnx models/.cache/platerec-b2/first-leg.onnx \
      --lr 5e-4 --warmup 50 --framing loose --out models/.cache/platerec-b2 2>&1 | tee -a models/.cache/platerec-b2/train.log
    /usr/bin/python3 models/train/export_rec.py --ckpt models/.cache/platerec-b2/last.pt --name platerec-b
  fi
fi
if [ "$DET_MIN" != 0 ]; then
  nice -n 10 /usr/bin/python3 models/train/train_det.py --minutes "$DET_MIN" 2>&1 | tee -a models/.cache/platedet/train.log
  /usr/bin/python3 models/train/export_det.py
fi
