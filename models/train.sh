#!/bin/sh
# Regenerates the committed models from scratch (or resumes them: checkpoints in models/.cache/).
#   models/train.sh [recognizer-minutes] [detector-minutes]
# Each step prints its progress; logs also go to models/.cache/*/train.log. CPU only, 2 threads.
set -e
cd "$(dirname "$0")/.."
REC_MIN=${1:-118}
DET_MIN=${2:-60}
mkdir -p models/.cache/platerec models/.cache/platedet
node --import tsx models/render/export.ts --plates 12000 --seed 7
nice -n 10 /usr/bin/python3 models/train/train_rec.py --minutes "$REC_MIN" 2>&1 | tee -a models/.cache/platerec/train.log
/usr/bin/python3 models/train/export_rec.py
nice -n 10 /usr/bin/python3 models/train/train_det.py --minutes "$DET_MIN" 2>&1 | tee -a models/.cache/platedet/train.log
/usr/bin/python3 models/train/export_det.py
