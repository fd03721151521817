"""Real plate crops for the recogniser: plates in ../shared/datasets/openimages-plates (images CC BY 2.0,
boxes CC BY 4.0 Google LLC, via Roboflow), read by hand for this project (labels/openimages-plates.csv).

Why: a recogniser trained on rendered plates alone misreads real ones in ways the renderer cannot
show it (real faces and wear, paint, dirt, lenses, the optics of a photo). A few hundred real crops,
mixed into every batch and varied by framing and photometry, teach it what real plates look like.

The labels file is the project's own work and is committed; the images are not (the dataset stays in
../shared). Each row: split, image stem, line of the plate in the image's label file, the serial as
the evaluation scores it (A-Z 0-9; separators, emblems, state names and small stacked characters
left out), and the region: a US state's postal code, `us` (US, state unknown), `xx` (not a US plate).
Rows are read only where the crop was legible; unreadable plates were not labelled.

Held out: the dataset's `test` split, to measure real-crop accuracy on photos training never saw.
"""
import csv
import os

import cv2
import numpy as np

from synth import detector_quad

HERE = os.path.dirname(os.path.abspath(__file__))
LABELS = os.path.join(HERE, 'labels', 'openimages-plates.csv')
DATASET = os.path.normpath(os.path.join(HERE, '..', '..', '..', 'shared', 'datasets', 'openimages-plates'))
OUT_H, OUT_W = 48, 96


def load_rows(dataset=DATASET, labels=LABELS):
    """The labelled plates with their images' corner points, or [] when the dataset is not on this machine."""
    if not os.path.isdir(dataset):
        return []
    rows = []
    with open(labels, newline='') as f:
        for row in csv.DictReader(f):
            lab = os.path.join(dataset, row['split'], 'labels', row['image'] + '.txt')
            img = os.path.join(dataset, row['split'], 'images', row['image'] + '.jpg')
            lines = open(lab).read().splitlines()
            parts = lines[int(row['line'])].split()
            if parts[0] != '0':
                raise ValueError(f'{lab} line {row["line"]} is not a plate box')
            quad = np.array(list(map(float, parts[1:9])), np.float32).reshape(4, 2)
            rows.append({**row, 'path': img, 'quad': quad})
    return rows


class RealCrops:
    """Samples labelled real crops, each framed and shaded anew (the detector's crop jitter and the
    photometry of synth.py, milder: the photos are already low resolution and compressed)."""

    def __init__(self, rows, states, seed=0):
        self.r = np.random.default_rng(seed)
        self.rows = rows
        self.images = {}
        for row in rows:
            if row['path'] not in self.images:
                im = cv2.imread(row['path'], cv2.IMREAD_GRAYSCALE)
                if im is None:
                    raise FileNotFoundError(row['path'])
                self.images[row['path']] = im.astype(np.float32)
        index = {s.lower(): i for i, s in enumerate(states)}
        # -100: no state to learn (not a US plate, or its state not known): ignored by the loss.
        self.states = [index.get(row['region'], -100) for row in rows]

    def u(self, a, b):
        return float(self.r.uniform(a, b))

    def crop(self, i, jitter=True):
        """The plate's box framed like a detector's crop: edges cut or padded by a few percent,
        a little perspective and rotation (jitter), or padded 2% all round (validation)."""
        row = self.rows[i]
        img = self.images[row['path']]
        h, w = img.shape
        q = row['quad'] * np.array([w, h], np.float32)
        x0, y0 = q.min(0)
        x1, y1 = q.max(0)
        pw, ph = x1 - x0, y1 - y0
        if jitter:
            quad = detector_quad(self.r, x0, y0, x1, y1, skew=0.04, max_deg=4)
        else:
            m = 0.02
            quad = np.array([[x0 - m * pw, y0 - m * ph], [x1 + m * pw, y0 - m * ph], [x1 + m * pw, y1 + m * ph],
                             [x0 - m * pw, y1 + m * ph]], np.float32)
        iw, ih = OUT_W * 2, OUT_H * 2
        M = cv2.getPerspectiveTransform(quad, np.array([[0, 0], [iw, 0], [iw, ih], [0, ih]], np.float32))
        return cv2.warpPerspective(img, M, (iw, ih), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)

    def photometry(self, img):
        if self.r.random() < 0.15:
            img = np.clip((img - img.mean()) * self.u(1.2, 2.5) + self.u(110, 190), 0, 255)  # IR-like
        img = (img - 128) * self.u(0.6, 1.3) + 128 + self.u(-40, 40)
        img = np.clip(img, 0, 255)
        if self.r.random() < 0.3:
            img = 255 * (img / 255) ** self.u(0.6, 1.6)
        if self.r.random() < 0.3:
            img = cv2.GaussianBlur(img, (0, 0), self.u(0.3, 1.2))
        img = cv2.resize(img, (OUT_W, OUT_H), interpolation=cv2.INTER_AREA)
        img = img + self.r.normal(0, self.u(0, 6), img.shape)
        img = np.clip(img, 0, 255).astype(np.uint8)
        if self.r.random() < 0.3:
            img = cv2.imdecode(cv2.imencode('.jpg', img, [cv2.IMWRITE_JPEG_QUALITY, int(self.u(30, 90))])[1],
                               cv2.IMREAD_GRAYSCALE)
        return img

    def batch(self, n, augment=True):
        """n crops drawn at random (augment) or the first n in order, plain (for validation)."""
        x = np.zeros((n, 1, OUT_H, OUT_W), np.uint8)
        labels, states = [], []
        for k in range(n):
            i = int(self.r.integers(len(self.rows))) if augment else k % len(self.rows)
            if augment:
                x[k, 0] = self.photometry(self.crop(i))
            else:
                x[k, 0] = np.clip(cv2.resize(self.crop(i, jitter=False), (OUT_W, OUT_H), interpolation=cv2.INTER_AREA),
                                  0, 255).astype(np.uint8)
            labels.append(self.rows[i]['text'])
            states.append(self.states[i])
        return x, labels, np.array(states, np.int64)
