"""Exports the PlateDet checkpoint to ONNX (opset 13; dynamic batch, height and width).

    /usr/bin/python3 models/train/export_det.py [--ckpt models/.cache/platedet/last.pt]

Writes models/platedet/platedet.onnx and platedet.json (stride, input width the appliance uses).
"""
import argparse
import json
import os
import sys

import onnx
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from detnet import STRIDE, PlateDet  # noqa: E402
from synth import CACHE  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument('--ckpt', default=os.path.join(CACHE, 'platedet', 'last.pt'))
ap.add_argument('--out', default=os.path.join(HERE, '..', 'platedet'))
a = ap.parse_args()
st = torch.load(a.ckpt)
net = PlateDet()
net.load_state_dict(st['model'])
net.eval()
os.makedirs(a.out, exist_ok=True)
path = os.path.join(a.out, 'platedet.onnx')
torch.onnx.export(net, torch.rand(1, 1, 288, 512), path, opset_version=13, input_names=['image'], output_names=['heat', 'box'],
                  dynamic_axes={'image': {0: 'n', 2: 'h', 3: 'w'}, 'heat': {0: 'n', 2: 'gh', 3: 'gw'}, 'box': {0: 'n', 2: 'gh', 3: 'gw'}})
onnx.checker.check_model(onnx.load(path))
meta = {'stride': STRIDE, 'inputWidth': 512, 'threshold': 0.3, 'step': st['step'], 'trainMinutes': round(st['spent'] / 60, 1)}
json.dump(meta, open(os.path.join(a.out, 'platedet.json'), 'w'), indent=1)
print(json.dumps({'onnx': os.path.relpath(path), 'bytes': os.path.getsize(path), 'step': meta['step'], 'trainMinutes': meta['trainMinutes']}))
