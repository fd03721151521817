"""Trains PlateDet on synthetic scenes and the CC BY Open Images plates (det_synth.py).

    nice -n 10 /usr/bin/python3 models/train/train_det.py --minutes 45 [--threads 1]

Progress on stdout; cosine learning rate over the time budget; checkpoint every 50 steps in
models/.cache/platedet/last.pt (a rerun resumes); recall on the Open Images valid split every 300
steps. Export with export_det.py. Never trains on openalpr-eval.
"""
import argparse
import math
import os
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from det_synth import Scenes, load_openimages  # noqa: E402
from detnet import STRIDE, PlateDet  # noqa: E402
from synth import CACHE  # noqa: E402


def targets(boxes, h, w):
    gh, gw = h // STRIDE, w // STRIDE
    heat = np.zeros((gh, gw), np.float32)
    reg = np.zeros((4, gh, gw), np.float32)
    mask = np.zeros((gh, gw), np.float32)
    ys, xs = np.mgrid[0:gh, 0:gw].astype(np.float32)
    for x, y, bw, bh in boxes:
        cx, cy = (x + bw / 2) / STRIDE, (y + bh / 2) / STRIDE
        if not (0 <= cx < gw and 0 <= cy < gh) or bw < 4 or bh < 2:
            continue
        sx, sy = max(0.6, bw / STRIDE / 5), max(0.6, bh / STRIDE / 5)
        g = np.exp(-((xs + 0.5 - cx) ** 2 / (2 * sx * sx) + (ys + 0.5 - cy) ** 2 / (2 * sy * sy)))
        np.maximum(heat, g, out=heat)
        ix, iy = int(cx), int(cy)
        heat[iy, ix] = 1.0
        reg[:, iy, ix] = [cx - ix, cy - iy, math.log(bw / STRIDE), math.log(bh / STRIDE)]
        mask[iy, ix] = 1.0
    return heat, reg, mask


class Stream(torch.utils.data.IterableDataset):
    def __init__(self, batch, seed, size):
        self.batch, self.seed, self.size = batch, seed, size

    def __iter__(self):
        sc = Scenes(self.seed + int(time.time()) % 100000, self.size)
        h, w = self.size
        while True:
            x = np.zeros((self.batch, 1, h, w), np.uint8)
            H = np.zeros((self.batch, 1, h // STRIDE, w // STRIDE), np.float32)
            R = np.zeros((self.batch, 4, h // STRIDE, w // STRIDE), np.float32)
            M = np.zeros((self.batch, 1, h // STRIDE, w // STRIDE), np.float32)
            for i in range(self.batch):
                img, boxes = sc.sample()
                x[i, 0] = img
                H[i, 0], R[i], M[i, 0] = targets(boxes, h, w)
            yield torch.from_numpy(x), torch.from_numpy(H), torch.from_numpy(R), torch.from_numpy(M)


def focal(pred, gt):
    pred = pred.clamp(1e-4, 1 - 1e-4)
    pos = gt.eq(1).float()
    neg = 1 - pos
    pl = torch.log(pred) * (1 - pred) ** 2 * pos
    nl = torch.log(1 - pred) * pred ** 2 * (1 - gt) ** 4 * neg
    n = pos.sum().clamp(min=1)
    return -(pl.sum() + nl.sum()) / n


def decode(heat, reg, thr=0.3):
    """Boxes [x, y, w, h, score] from one image's outputs (the TypeScript side does the same)."""
    hm = heat[0]
    peaks = (hm == torch.nn.functional.max_pool2d(hm[None, None], 3, 1, 1)[0, 0]) & (hm > thr)
    out = []
    for y, x in zip(*torch.nonzero(peaks, as_tuple=True)):
        ox, oy, lw, lh = reg[:, y, x].tolist()
        bw, bh = math.exp(lw) * STRIDE, math.exp(lh) * STRIDE
        cx, cy = (x.item() + ox) * STRIDE, (y.item() + oy) * STRIDE
        out.append([cx - bw / 2, cy - bh / 2, bw, bh, hm[y, x].item()])
    return out


def iou(a, b):
    x0, y0 = max(a[0], b[0]), max(a[1], b[1])
    x1, y1 = min(a[0] + a[2], b[0] + b[2]), min(a[1] + a[3], b[1] + b[3])
    i = max(0, x1 - x0) * max(0, y1 - y0)
    return i / (a[2] * a[3] + b[2] * b[3] - i + 1e-9)


def recall(net, valid, side=416):
    net.eval()
    found = total = 0
    with torch.no_grad():
        for img, quads in valid:
            h, w = img.shape
            x = torch.from_numpy(img).float()[None, None] / 255
            heat, reg = net(x)
            dets = decode(heat[0], reg[0])
            for q in quads:
                b = [q[:, 0].min(), q[:, 1].min(), q[:, 0].max() - q[:, 0].min(), q[:, 1].max() - q[:, 1].min()]
                total += 1
                found += any(iou(d, b) >= 0.5 for d in dets)
    net.train()
    return found / max(1, total)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--minutes', type=float, default=45)
    ap.add_argument('--batch', type=int, default=16)
    ap.add_argument('--lr', type=float, default=2e-3)
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--out', default=os.path.join(CACHE, 'platedet'))
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    os.makedirs(a.out, exist_ok=True)
    ckpt = os.path.join(a.out, 'last.pt')
    net = PlateDet()
    opt = torch.optim.AdamW(net.parameters(), lr=a.lr, weight_decay=1e-4)
    step, spent = 0, 0.0
    if os.path.exists(ckpt):
        st = torch.load(ckpt)
        net.load_state_dict(st['model'])
        opt.load_state_dict(st['opt'])
        step, spent = st['step'], st['spent']
        print(f'resumed at step {step}, {spent / 60:.1f} min spent', flush=True)
    valid = load_openimages('valid')
    # Open Images frames are 416x416; the network takes multiples of 32.
    valid = [(np.ascontiguousarray(v[0][:416, :416]), v[1]) for v in valid]
    budget = a.minutes * 60

    def save():
        torch.save({'model': net.state_dict(), 'opt': opt.state_dict(), 'step': step, 'spent': spent}, ckpt + '.tmp')
        os.replace(ckpt + '.tmp', ckpt)

    loader = torch.utils.data.DataLoader(Stream(a.batch, step, (192, 320)), batch_size=None, num_workers=1, prefetch_factor=4)
    t_last = time.time()
    net.train()
    for x, H, R, M in loader:
        if spent >= budget:
            break
        frac = spent / budget
        lr = a.lr * min(1.0, (step + 1) / 100) * (0.02 + 0.98 * 0.5 * (1 + math.cos(math.pi * frac)))
        for g in opt.param_groups:
            g['lr'] = lr
        heat, reg = net(x.float() / 255)
        lh = focal(heat, H)
        n = M.sum().clamp(min=1)
        loff = (torch.abs(reg[:, :2] - R[:, :2]) * M).sum() / n
        lsize = (torch.abs(reg[:, 2:] - R[:, 2:]) * M).sum() / n
        loss = lh + loff + lsize
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(net.parameters(), 5.0)
        opt.step()
        step += 1
        now = time.time()
        spent += now - t_last
        t_last = now
        if step % 20 == 0:
            print(f'step {step} heat {lh.item():.3f} off {loff.item():.3f} size {lsize.item():.3f} lr {lr:.2e} '
                  f'spent {spent / 60:.1f}/{a.minutes:.0f} min', flush=True)
        if step % 50 == 0:
            save()
        if step % 300 == 0:
            print(f'val step {step} openimages-valid recall {recall(net, valid):.3f}', flush=True)
    save()
    print(f'done step {step} openimages-valid recall {recall(net, valid):.3f} spent {spent / 60:.1f} min', flush=True)


if __name__ == '__main__':
    main()
