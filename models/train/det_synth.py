"""Training scenes for the plate detector: synthetic traffic scenes with plates composed by
synth.py (US 2:1 plates, and long one-line plates as in Europe), and the CC BY Open Images
plates of ../shared/datasets/openimages-plates (train split; Roboflow "License Plates" v3,
annotations CC BY 4.0 Google LLC, images CC BY 2.0). Never openalpr-eval.
"""
import glob
import math
import os

import cv2
import numpy as np

from synth import PH, PW, Synth, paste

HERE = os.path.dirname(os.path.abspath(__file__))
OPENIMAGES = os.environ.get('OPENIMAGES_PLATES', os.path.join(HERE, '..', '..', '..', 'shared', 'datasets', 'openimages-plates'))


def load_openimages(split):
    out = []
    for lab in sorted(glob.glob(os.path.join(OPENIMAGES, split, 'labels', '*.txt'))):
        stem = os.path.splitext(os.path.basename(lab))[0]
        imgs = glob.glob(os.path.join(OPENIMAGES, split, 'images', stem + '.*'))
        if not imgs:
            continue
        boxes = []
        for line in open(lab):
            v = line.split()
            if len(v) >= 9 and v[0] == '0':
                pts = np.array(v[1:9], np.float32).reshape(4, 2)
                boxes.append(pts)
        img = cv2.imread(imgs[0], cv2.IMREAD_GRAYSCALE)
        if img is not None:
            h, w = img.shape
            out.append((img, [p * [w, h] for p in boxes]))
    return out


class Scenes:
    def __init__(self, seed, size=(192, 320), real_share=0.35):
        self.s = Synth(seed)
        self.r = self.s.r
        self.h, self.w = size
        self.real = load_openimages('train')
        self.real_share = real_share if self.real else 0.0

    def u(self, a, b):
        return float(self.r.uniform(a, b))

    def wide_plate(self):
        """A long one-line plate (European style): dark text on light, a band at the left."""
        W, H = int(PH * 4.6), PH
        bg = self.u(170, 250)
        plate = np.full((H, W), bg, np.float32)
        if self.r.random() < 0.7:
            plate[:, :int(W * 0.08)] = self.u(20, 110)
        glyphs = self.s.ttf[int(self.r.integers(len(self.s.ttf)))]
        n = int(self.r.integers(5, 9))
        chars = ''.join('ABCDEFGHJKLMNPRSTUVWXYZ0123456789'[int(self.r.integers(33))] for _ in range(n))
        ch_h = H * self.u(0.6, 0.75)
        x = W * 0.11
        for c in chars:
            g = glyphs[c]
            m = cv2.resize(g, (max(2, int(g.shape[1] * ch_h / g.shape[0])), int(ch_h)))
            if x + m.shape[1] > W * 0.97:
                break
            paste(plate, m, x, (H - ch_h) / 2, self.u(0, 60))
            x += m.shape[1] + ch_h * 0.12
        cv2.rectangle(plate, (1, 1), (W - 2, H - 2), self.u(0, 80), 2)
        return plate

    def background(self):
        h, w = self.h, self.w
        img = np.full((h, w), self.u(20, 230), np.float32)
        img += np.linspace(self.u(-60, 60), self.u(-60, 60), h, dtype=np.float32)[:, None]
        n = cv2.resize(self.r.normal(0, 1, (h // 16 + 1, w // 16 + 1)).astype(np.float32), (w, h))
        img += n * self.u(0, 30)
        for _ in range(int(self.r.integers(2, 10))):  # vehicles, windows, road furniture
            x, y = int(self.u(-40, w)), int(self.u(-40, h))
            cv2.rectangle(img, (x, y), (x + int(self.u(10, 200)), y + int(self.u(10, 120))), self.u(0, 255), -1 if self.r.random() < 0.7 else int(self.u(1, 5)))
        for _ in range(int(self.r.integers(0, 4))):
            cv2.line(img, (int(self.u(0, w)), int(self.u(0, h))), (int(self.u(0, w)), int(self.u(0, h))), self.u(0, 255), int(self.u(1, 4)))
        if self.r.random() < 0.5:  # text that is not a plate: signs, timestamps, stickers
            for _ in range(int(self.r.integers(1, 3))):
                t = ['2024-06-01 12:33:05', 'STOP', 'CAM 03', 'SPEED LIMIT 45', 'ONE WAY', 'EXIT 12'][int(self.r.integers(6))]
                m = self.s.text_line(t, self.u(5, 16), w * 0.6)
                paste(img, m, self.u(0, w - m.shape[1]), self.u(0, h - m.shape[0]), self.u(0, 255))
        return img

    def synthetic(self):
        img = self.background()
        boxes = []
        n = int(self.r.integers(0, 3)) + (1 if self.r.random() < 0.9 else 0)
        placed = []
        for _ in range(n):
            wide = self.r.random() < 0.3
            tw = self.u(14, 130)
            th = tw / (4.6 if wide else 2.0) * self.u(0.8, 1.2)
            cx, cy = self.u(tw / 2, self.w - tw / 2), self.u(th / 2, self.h - th / 2)
            if any(abs(cx - p[1]) < (tw + p[3]) / 2 and abs(cy - p[2]) < (th + p[4]) / 2 for p in placed):
                continue
            placed.append((wide, cx, cy, tw, th))
        for _, cx, cy, tw, th in placed:  # vehicle bodies first, plates on top
            if self.r.random() < 0.7:
                bw, bh = tw * self.u(2.5, 6), th * self.u(3, 8)
                cv2.rectangle(img, (int(cx - bw / 2), int(cy - bh * 0.6)), (int(cx + bw / 2), int(cy + bh * 0.4)), self.u(0, 255), -1)
        for wide, cx, cy, tw, th in placed:
            plate = self.wide_plate() if wide else self.s.compose()[0]
            ph, pw = plate.shape
            ang = math.radians(self.u(-8, 8))
            dst = np.array([[-tw / 2, -th / 2], [tw / 2, -th / 2], [tw / 2, th / 2], [-tw / 2, th / 2]], np.float32)
            dst += self.r.uniform(-0.08, 0.08, dst.shape).astype(np.float32) * [tw, th]
            rot = np.array([[math.cos(ang), -math.sin(ang)], [math.sin(ang), math.cos(ang)]], np.float32)
            dst = dst @ rot.T + [cx, cy]
            x0, y0 = np.floor(dst.min(0)).astype(int)
            x1, y1 = np.ceil(dst.max(0)).astype(int)
            # Shrink the plate first (warping a large plate to a few pixels aliases), then warp only its region.
            f = min(1.0, 2.0 * tw / pw)
            small = cv2.resize(plate, (max(4, int(pw * f)), max(2, int(ph * f))), interpolation=cv2.INTER_AREA)
            sh, sw = small.shape
            src = np.array([[0, 0], [sw, 0], [sw, sh], [0, sh]], np.float32)
            M = cv2.getPerspectiveTransform(src, (dst - [x0, y0]).astype(np.float32))
            rw, rh = x1 - x0, y1 - y0
            warped = cv2.warpPerspective(small, M, (rw, rh), flags=cv2.INTER_LINEAR)
            mask = cv2.warpPerspective(np.ones_like(small), M, (rw, rh), flags=cv2.INTER_LINEAR)
            ax0, ay0, ax1, ay1 = max(0, x0), max(0, y0), min(self.w, x1), min(self.h, y1)
            if ax1 <= ax0 or ay1 <= ay0:
                continue
            reg = img[ay0:ay1, ax0:ax1]
            m = mask[ay0 - y0:ay1 - y0, ax0 - x0:ax1 - x0]
            reg[:] = reg * (1 - m) + warped[ay0 - y0:ay1 - y0, ax0 - x0:ax1 - x0] * m
            boxes.append([float(dst[:, 0].min()), float(dst[:, 1].min()), float(x1 - x0), float(y1 - y0)])
        return img, boxes

    def real_sample(self):
        img, quads = self.real[int(self.r.integers(len(self.real)))]
        H, W = img.shape
        # A random window with the output's aspect, scaled; flips keep plates plates (text mirrored is still a plate here).
        s = self.u(0.45, 1.0)
        cw = W * s
        ch = cw * self.h / self.w
        if ch > H:
            ch = H
            cw = ch * self.w / self.h
        x0, y0 = self.u(0, W - cw), self.u(0, H - ch)
        M = np.array([[self.w / cw, 0, -x0 * self.w / cw], [0, self.h / ch, -y0 * self.h / ch]], np.float32)
        out = cv2.warpAffine(img.astype(np.float32), M, (self.w, self.h), flags=cv2.INTER_AREA, borderMode=cv2.BORDER_REFLECT)
        boxes = []
        for q in quads:
            p = q @ M[:, :2].T + M[:, 2]
            bx0, by0 = p.min(0)
            bx1, by1 = p.max(0)
            # Keep plates mostly inside; drop the rest from the targets (they are ignored, not negatives).
            ix0, iy0, ix1, iy1 = max(bx0, 0), max(by0, 0), min(bx1, self.w), min(by1, self.h)
            if ix1 - ix0 > 0.6 * (bx1 - bx0) and iy1 - iy0 > 0.6 * (by1 - by0):
                boxes.append([bx0, by0, bx1 - bx0, by1 - by0])
        return out, boxes

    def photometry(self, img):
        img = (img - 128) * self.u(0.6, 1.3) + 128 + self.u(-40, 40)
        if self.r.random() < 0.3:
            img = cv2.GaussianBlur(img, (0, 0), self.u(0.5, 1.5))
        img = img + self.r.normal(0, self.u(0, 8), img.shape)
        img = np.clip(img, 0, 255).astype(np.uint8)
        if self.r.random() < 0.5:
            img = cv2.imdecode(cv2.imencode('.jpg', img, [cv2.IMWRITE_JPEG_QUALITY, int(self.u(30, 90))])[1], cv2.IMREAD_GRAYSCALE)
        return img

    def sample(self):
        img, boxes = self.real_sample() if self.r.random() < self.real_share else self.synthetic()
        if self.r.random() < 0.5:
            img = img[:, ::-1].copy()
            boxes = [[self.w - b[0] - b[2], b[1], b[2], b[3]] for b in boxes]
        return self.photometry(img), boxes


if __name__ == '__main__':
    import time
    sc = Scenes(1)
    t = time.time()
    tiles = []
    for i in range(12):
        img, boxes = sc.sample()
        img = cv2.cvtColor(img, cv2.COLOR_GRAY2BGR)
        for b in boxes:
            cv2.rectangle(img, (int(b[0]), int(b[1])), (int(b[0] + b[2]), int(b[1] + b[3])), (0, 0, 255), 1)
        tiles.append(img)
    print('ms/sample', (time.time() - t) / 12 * 1000, len(sc.real))
    grid = np.concatenate([np.concatenate(tiles[i * 3:(i + 1) * 3], 1) for i in range(4)], 0)
    cv2.imwrite('/tmp/det-grid.png', grid)
