#!/bin/sh
# Installs what training the models needs (Debian 12, as root or with sudo). Not part of CI or of
# scripts/setup.sh: the appliance and its tests only run the committed .onnx files.
#   python3-torch      training (CPU); python3-onnx: export checks
#   libopenblas0-openmp  4-5x faster training steps than Debian's generic BLAS (update-alternatives picks it)
#   python3-opencv python3-numpy python3-pil  synthetic data
#   fonts-*            free faces the plate composer draws serials in (models/train/synth.py FONT_FILES):
#                      a recogniser that sees only a few faces reads a real 2 as Z, 7 as T, 0 as D
set -e
SUDO=$([ "$(id -u)" = 0 ] && echo "" || echo sudo)
$SUDO apt-get update
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends \
  python3-torch python3-onnx libopenblas0-openmp python3-opencv python3-numpy python3-pil \
  fonts-dejavu-core fonts-dejavu-extra fonts-liberation fonts-urw-base35 fonts-roboto fonts-freefont-ttf fonts-croscore \
  fonts-b612 fonts-hack fonts-lato fonts-inter fonts-open-sans fonts-adf-gillius fonts-adf-universalis
update-alternatives --display libblas.so.3-x86_64-linux-gnu | head -2 || true
# Only Debian's interpreter sees these packages; a pyenv python3 earlier on PATH does not.
/usr/bin/python3 -c "import torch, onnx, cv2, PIL; print('torch', torch.__version__, 'onnx', onnx.__version__, 'opencv', cv2.__version__)"
