"""Synthetic plate crops for the recogniser, composed on the fly from what the project's
renderer exports (models/render/export.ts -> models/.cache/):

- designs.json  the 51 plate designs (name, slogan, colours, serial formats);
- glyphs.bin    the renderer's stroke font: header u32 nChars, nStyles, cellW, cellH, then
                nStyles x nChars cells of cellH x cellW coverage bytes (chars in glyphs.json);
- plates.bin    u32 count, u32 recordBytes, then records: 10 bytes text (latin1, space padded),
                u16 design index, 4 spare bytes, 256x128 grey pixels (renderPlate output).

Each sample is a plate drawn with either the project's stroke font or one of the Debian DejaVu
faces (varied width, weight and spacing), state name and slogan, optional stacked characters,
emblems, stickers, bolts, frames; or (15%) a plate rendered by renderPlate itself. It is then
framed like a detector's crop (edges cut or padded by a few percent, perspective), blurred,
shaded, lit by glare or at night/IR, noised and JPEG-compressed. Labels leave out what plates'
registered serials leave out: separators, emblems and small stacked characters.
"""
import json
import math
import os

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

HERE = os.path.dirname(os.path.abspath(__file__))
CACHE = os.path.join(HERE, '..', '.cache')
CHARS = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ'
OUT_H, OUT_W = 48, 96
PH, PW = 96, 192  # plate canvas (2:1, as US plates)
# Free faces from Debian's font packages (models/setup.sh installs them), chosen for the shapes
# plate serials come in: bold and condensed grotesques, a few wide and mono ones. A model trained on
# one or two faces learns their 2, 7, 4, 0 and 1 and reads a real plate's 2 as Z, 7 as T, 4 as L,
# 0 as D (such swaps are most of the misses of a model trained on few faces). Missing files are skipped.
FONT_FILES = [
    'truetype/dejavu/DejaVuSans-Bold.ttf', 'truetype/dejavu/DejaVuSansCondensed-Bold.ttf',
    'truetype/dejavu/DejaVuSansMono-Bold.ttf', 'truetype/dejavu/DejaVuSansCondensed.ttf',
    'truetype/dejavu/DejaVuSerifCondensed-Bold.ttf',
    'truetype/liberation/LiberationSansNarrow-Bold.ttf', 'truetype/liberation/LiberationSans-Bold.ttf',
    'truetype/liberation/LiberationMono-Bold.ttf',
    'opentype/urw-base35/NimbusSansNarrow-Bold.otf', 'opentype/urw-base35/NimbusSans-Bold.otf',
    'truetype/roboto/unhinted/RobotoCondensed-Bold.ttf', 'truetype/roboto/unhinted/RobotoTTF/Roboto-Black.ttf',
    'truetype/roboto/unhinted/RobotoCondensed-Regular.ttf',
    'truetype/freefont/FreeSansBold.ttf', 'truetype/croscore/Arimo-Bold.ttf',
    'opentype/b612/B612-Bold.otf', 'opentype/b612/B612Mono-Bold.otf', 'truetype/hack/Hack-Bold.ttf',
    'truetype/lato/Lato-Black.ttf', 'truetype/lato/Lato-Bold.ttf',
    'opentype/inter/Inter-Bold.otf', 'opentype/inter/Inter-ExtraBold.otf',
    'truetype/open-sans/OpenSans-CondBold.ttf', 'truetype/open-sans/OpenSans-Bold.ttf',
    'truetype/adf/GilliusADF-BoldCond.otf', 'truetype/adf/UniversalisADFStd-BoldCond.otf',
    'truetype/adf/UniversalisADFStd-Bold.otf',
]
FONT_ROOT = '/usr/share/fonts'
LETTERS_W = 'ABCDEFGHJKLMNPRSTUVWXYZ'


def luma(c):
    return 0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2]


class Synth:
    def __init__(self, seed=0):
        self.r = np.random.default_rng(seed)
        self.designs = json.load(open(os.path.join(CACHE, 'designs.json')))
        meta = json.load(open(os.path.join(CACHE, 'glyphs.json')))
        raw = np.fromfile(os.path.join(CACHE, 'glyphs.bin'), dtype=np.uint8)
        nc, ns, gw, gh = raw[:16].view(np.uint32)
        cells = raw[16:].reshape(ns, nc, gh, gw)
        self.stroke = []  # per style: dict char -> ink-cropped float mask
        for s in range(ns):
            d = {}
            for i, ch in enumerate(meta['chars']):
                d[ch] = crop_ink(cells[s, i].astype(np.float32) / 255)
            self.stroke.append(d)
        self.fonts = [os.path.join(FONT_ROOT, f) for f in FONT_FILES if os.path.exists(os.path.join(FONT_ROOT, f))]
        self.ttf = []  # per font: dict char -> ink-cropped mask at cap height ~64
        for f in self.fonts:
            font = ImageFont.truetype(f, 80)
            d = {}
            for ch in CHARS + '-':
                im = Image.new('L', (170, 170), 0)
                ImageDraw.Draw(im).text((25, 20), ch, fill=255, font=font)
                d[ch] = crop_ink(np.asarray(im, dtype=np.float32) / 255)
            self.ttf.append(d)
        self._small_fonts = {}
        p = np.fromfile(os.path.join(CACHE, 'plates.bin'), dtype=np.uint8)
        n, rec = p[:8].view(np.uint32)
        self.pool = p[8:8 + n * rec].reshape(n, rec)

    # ---- helpers ----
    def u(self, a, b):
        return float(self.r.uniform(a, b))

    def p(self, prob):
        return self.r.random() < prob

    def small_font(self, size, idx=None):
        idx = int(self.r.integers(len(self.fonts))) if idx is None else idx
        key = (idx, size)
        if key not in self._small_fonts:
            self._small_fonts[key] = ImageFont.truetype(self.fonts[idx], size)
        return self._small_fonts[key]

    def text_line(self, text, height, max_w):
        """A line of small text (state name, slogan, dealer) as a float mask of given cap height."""
        size = max(6, int(height * 1.35))
        font = self.small_font(size)
        w = int(font.getlength(text)) + 4
        im = Image.new('L', (max(w, 4), size + 6), 0)
        ImageDraw.Draw(im).text((2, 1), text, fill=255, font=font)
        m = crop_ink(np.asarray(im, dtype=np.float32) / 255)
        if m.shape[1] > max_w:
            m = cv2.resize(m, (int(max_w), m.shape[0]), interpolation=cv2.INTER_AREA)
        sx = self.u(0.8, 1.15)
        if m.shape[1] * sx < max_w:
            m = cv2.resize(m, (max(1, int(m.shape[1] * sx)), m.shape[0]), interpolation=cv2.INTER_AREA)
        return m

    def serial(self, design):
        if self.p(0.75):
            fmt = design['formats'][int(self.r.integers(len(design['formats'])))]
        else:  # vanity and specialty serials: any mix, 2-8 characters, groups apart
            n = int(self.r.integers(3, 9))
            fmt = ''.join('L' if self.r.random() < 0.55 else 'N' for _ in range(n))
            if n >= 5 and self.p(0.5):
                k = int(self.r.integers(2, n - 1))
                fmt = fmt[:k] + (' ' if self.p(0.6) else '-') + fmt[k:]
        out = []
        for c in fmt:
            if c == 'L':
                out.append(LETTERS_W[int(self.r.integers(len(LETTERS_W)))] if self.p(0.85) else 'IOQ'[int(self.r.integers(3))])
            elif c == 'N':
                out.append(str(int(self.r.integers(10))))
            else:
                out.append(c)
        return ''.join(out)

    # ---- plate composition ----
    def compose(self):
        d = self.designs[int(self.r.integers(len(self.designs)))]
        bg = luma(d['background']) + self.u(-25, 25)
        fg = luma(d['text']) + self.u(-25, 25)
        acc = luma(d['accent']) + self.u(-25, 25)
        if self.p(0.08):  # colour plates in grey can lose contrast: some dark-on-light, some reversed
            bg, fg = fg, bg
        if abs(bg - fg) < 70:
            fg = bg - 110 if bg > 128 else bg + 110
        if abs(bg - acc) < 40:
            acc = fg
        plate = np.full((PH, PW), bg, np.float32)
        self.background(plate, bg)

        # State name and slogan.
        top = d['namePosition'] == 'top'
        if self.p(0.15):
            top = not top
        name_h = PH * self.u(0.09, 0.17)
        if self.p(0.93):
            nm = self.text_line(d['name'] if self.p(0.9) else d['name'].title(), name_h, PW * 0.9)
            y = PH * self.u(0.03, 0.1) if top else PH * (1 - self.u(0.04, 0.1)) - nm.shape[0]
            paste(plate, nm, PW / 2 - nm.shape[1] / 2 + self.u(-8, 8), y, acc)
        if d['slogan'] and self.p(0.7):
            sl = self.text_line(d['slogan'], PH * self.u(0.05, 0.09), PW * 0.85)
            y = PH * (1 - self.u(0.04, 0.1)) - sl.shape[0] if top else PH * self.u(0.04, 0.1)
            paste(plate, sl, PW / 2 - sl.shape[1] / 2 + self.u(-8, 8), y, acc)

        serial = self.serial(d)
        label = ''.join(c for c in serial if c.isalnum())
        glyphs = self.ttf[int(self.r.integers(len(self.ttf)))] if self.p(0.7) else self.stroke[int(self.r.integers(len(self.stroke)))]
        ch_h = PH * self.u(0.4, 0.6)
        squeeze = self.u(0.7, 1.15)
        gap = ch_h * self.u(0.04, 0.2)
        pieces = []  # (mask, advance)
        sep_kind = int(self.r.integers(4))
        for c in serial:
            if c.isalnum():
                g = glyphs[c]
                w = max(2, int(g.shape[1] * ch_h / g.shape[0] * squeeze))
                pieces.append(('g', cv2.resize(g, (w, int(ch_h)), interpolation=cv2.INTER_AREA)))
            elif c == '-' and sep_kind < 2:
                g = glyphs['-']
                pieces.append(('s', cv2.resize(g, (max(2, int(ch_h * 0.3)), max(2, int(ch_h * 0.1))), interpolation=cv2.INTER_AREA)))
            else:
                pieces.append(('gap', ch_h * self.u(0.2, 0.6)))
        if self.p(0.2) and len(pieces) >= 4:  # an emblem between groups (heart, star, outline of the state)
            k = int(self.r.integers(1, len(pieces) - 1))
            pieces.insert(k, ('e', emblem(self.r, int(ch_h * self.u(0.5, 0.9)))))
        total = sum(p[1].shape[1] if p[0] != 'gap' else p[1] for p in pieces) + gap * (len(pieces) - 1)
        max_w = PW * self.u(0.8, 0.93)
        scale = min(1.0, max_w / total)
        x = PW / 2 - total * scale / 2 + self.u(-6, 6)
        cy = PH * self.u(0.47, 0.56)
        ytop = cy - ch_h / 2
        shadow = self.p(0.25)
        bold = int(self.r.integers(-1, 2)) if self.p(0.25) else 0
        x0 = x
        for kind, m in pieces:
            if kind == 'gap':
                x += (m + gap) * scale
                continue
            if scale < 1:
                m = cv2.resize(m, (max(1, int(m.shape[1] * scale)), m.shape[0]), interpolation=cv2.INTER_AREA)
            if bold and kind == 'g':
                k = np.ones((2, 2), np.uint8)
                m = cv2.dilate(m, k) if bold > 0 else cv2.erode(m, k)
            y = ytop + (ch_h - m.shape[0]) / 2 if kind != 'g' else ytop
            if shadow:
                paste(plate, m, x + 1.5, y + 1.5, max(0, min(bg, fg) - 40) if fg < bg else min(255, fg + 40), 0.5)
            paste(plate, m, x, y, fg)
            x += m.shape[1] + gap * scale
        x1 = x
        # Small stacked characters beside the serial (not part of the registered serial).
        # Extra marks are what a model trained without them reads as an extra character most often
        # (a leading or inner letter that is not in the serial), so they are common here.
        if self.p(0.18):
            sh = ch_h * 0.38
            a = glyphs[LETTERS_W[int(self.r.integers(len(LETTERS_W)))]]
            b = glyphs[LETTERS_W[int(self.r.integers(len(LETTERS_W)))]]
            sx = x0 - sh * 0.9 if self.p(0.6) else x1 + 2
            for i, g in enumerate((a, b)):
                m = cv2.resize(g, (max(2, int(g.shape[1] * sh / g.shape[0])), int(sh)), interpolation=cv2.INTER_AREA)
                paste(plate, m, sx, ytop + i * (sh + ch_h * 0.15), fg)
        # Emblem left of the serial (cactus, seal, horse: must not become a character).
        if self.p(0.2) and x0 > PW * 0.12:
            e = emblem(self.r, int(ch_h * self.u(0.6, 1.1)))
            paste(plate, e, max(2, x0 - e.shape[1] - 3), cy - e.shape[0] / 2, acc if self.p(0.5) else fg)
        self.decorate(plate, bg, fg)
        return plate, label, d

    def background(self, plate, bg):
        k = int(self.r.integers(4))
        if k == 1:  # gradient
            g = np.linspace(self.u(-40, 40), self.u(-40, 40), PH if self.p(0.6) else PW, dtype=np.float32)
            plate += g[:, None] if g.shape[0] == PH else g[None, :]
        elif k == 2:  # soft graphics: blobs, mountains, sun
            layer = np.zeros_like(plate)
            for _ in range(int(self.r.integers(1, 5))):
                c = (int(self.u(0, PW)), int(self.u(0, PH)))
                ax = (int(self.u(10, 90)), int(self.u(6, 50)))
                cv2.ellipse(layer, c, ax, self.u(0, 180), 0, 360, self.u(-60, 60), -1)
            if self.p(0.5):
                pts = np.array([[0, PH]] + [[int(x), int(self.u(PH * 0.4, PH))] for x in np.linspace(0, PW, 6)] + [[PW, PH]], np.int32)
                cv2.fillPoly(layer, [pts], self.u(-60, 60))
            plate += cv2.GaussianBlur(layer, (0, 0), self.u(1, 6))
        elif k == 3:  # texture
            n = cv2.resize(self.r.normal(0, 1, (PH // 8, PW // 8)).astype(np.float32), (PW, PH))
            plate += n * self.u(4, 20)
        np.clip(plate, 0, 255, out=plate)

    def decorate(self, plate, bg, fg):
        dark = min(bg, fg)
        if self.p(0.6):  # embossed border
            t = int(self.u(1, 4))
            cv2.rectangle(plate, (t, t), (PW - 1 - t, PH - 1 - t), self.u(0, 255), t)
        if self.p(0.4):  # bolt holes
            for bx in (PW * 0.25, PW * 0.75):
                for by in ((PH * 0.1,) if self.p(0.7) else (PH * 0.1, PH * 0.9)):
                    cv2.ellipse(plate, (int(bx + self.u(-4, 4)), int(by)), (int(self.u(2, 5)), int(self.u(2, 4))), 0, 0, 360, self.u(0, 120), -1)
        if self.p(0.35):  # registration stickers in the corners
            for _ in range(int(self.r.integers(1, 3))):
                w, h = int(self.u(12, 30)), int(self.u(8, 18))
                x = int(self.u(3, 25)) if self.p(0.5) else PW - w - int(self.u(3, 25))
                y = int(self.u(3, 12)) if self.p(0.7) else PH - h - int(self.u(3, 12))
                cv2.rectangle(plate, (x, y), (x + w, y + h), self.u(0, 255), -1)
                if self.p(0.5):
                    m = self.text_line(str(int(self.r.integers(10, 99))), h * 0.5, w)
                    paste(plate, m, x + 2, y + 2, self.u(0, 255))
        if self.p(0.3):  # dealer frame: a band over the bottom (or top) edge, often with text
            h = int(PH * self.u(0.1, 0.2))
            y = PH - h if self.p(0.75) else 0
            c = self.u(0, 60) if self.p(0.7) else self.u(180, 255)
            plate[y:y + h] = c
            if self.p(0.6):
                m = self.text_line(['AUTO SALES', 'MOTORS', 'DEALER', 'TOYOTA OF', 'HONDA', 'CHEVROLET'][int(self.r.integers(6))], h * 0.55, PW * 0.7)
                paste(plate, m, PW / 2 - m.shape[1] / 2, y + h * 0.2, 255 - c)
            if self.p(0.5):
                cv2.rectangle(plate, (0, 0), (PW - 1, PH - 1), c, int(self.u(2, 7)))
        if self.p(0.15):  # dirt
            layer = np.zeros_like(plate)
            for _ in range(int(self.r.integers(3, 15))):
                cv2.circle(layer, (int(self.u(0, PW)), int(self.u(0, PH))), int(self.u(1, 6)), self.u(-80, -20), -1)
            plate += cv2.GaussianBlur(layer, (0, 0), 1.5)
        _ = dark
        np.clip(plate, 0, 255, out=plate)

    def pool_plate(self):
        rec = self.pool[int(self.r.integers(len(self.pool)))]
        text = bytes(rec[:10]).decode('latin1').strip()
        di = int(rec[10:12].view(np.uint16)[0])
        img = rec[16:].reshape(128, 256).astype(np.float32)
        return cv2.resize(img, (PW, PH), interpolation=cv2.INTER_AREA), text, self.designs[di]

    # ---- framing and photometry ----
    def frame(self, plate):
        """Puts the plate on a car and crops it as a detector would, with perspective."""
        mh, mw = int(PH * 0.5), int(PW * 0.3)
        H, W = PH + 2 * mh, PW + 2 * mw
        scene = np.full((H, W), self.u(0, 255), np.float32)
        g = np.linspace(self.u(-50, 50), self.u(-50, 50), H, dtype=np.float32)
        scene += g[:, None]
        if self.p(0.5):  # bumper edges, grille bars
            for _ in range(int(self.r.integers(1, 5))):
                y = int(self.u(0, H))
                cv2.line(scene, (0, y), (W, y + int(self.u(-10, 10))), self.u(0, 255), int(self.u(1, 8)))
        scene[mh:mh + PH, mw:mw + PW] = plate
        np.clip(scene, 0, 255, out=scene)
        quad = detector_quad(self.r, mw, mh, mw + PW, mh + PH)
        iw, ih = OUT_W * 2, OUT_H * 2
        M = cv2.getPerspectiveTransform(quad, np.array([[0, 0], [iw, 0], [iw, ih], [0, ih]], np.float32))
        return cv2.warpPerspective(scene, M, (iw, ih), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)

    def photometry(self, img):
        if self.p(0.2):  # shadow across part of the plate
            a, b = self.u(0, img.shape[1]), self.u(0, img.shape[1])
            mask = np.zeros_like(img)
            cv2.fillPoly(mask, [np.array([[a, 0], [img.shape[1], 0], [img.shape[1], img.shape[0]], [b, img.shape[0]]], np.int32)], 1)
            img = img * (1 - mask * self.u(0.3, 0.7))
        if self.p(0.15):  # glare
            layer = np.zeros_like(img)
            cv2.ellipse(layer, (int(self.u(0, img.shape[1])), int(self.u(0, img.shape[0]))), (int(self.u(10, 80)), int(self.u(5, 40))), self.u(0, 180), 0, 360, self.u(80, 250), -1)
            img = img + cv2.GaussianBlur(layer, (0, 0), self.u(5, 20))
        mode = self.r.random()
        if mode < 0.1:  # night: dark, low contrast, noisy
            img = img * self.u(0.15, 0.45)
        elif mode < 0.2:  # IR: retroreflective background bright, paint dark, colours gone
            img = np.clip((img - img.mean()) * self.u(1.5, 3) + self.u(120, 200), 0, 255)
        # Contrast, brightness, gamma.
        img = (img - 128) * self.u(0.5, 1.3) + 128 + self.u(-50, 50)
        img = np.clip(img, 0, 255)
        if self.p(0.3):
            img = 255 * (img / 255) ** self.u(0.5, 1.8)
        # Blur, motion blur, resolution.
        s = self.u(0, 1.8) if self.p(0.7) else 0
        if s > 0.3:
            img = cv2.GaussianBlur(img, (0, 0), s)
        if self.p(0.15):
            k = int(self.u(3, 8))
            ker = np.zeros((k, k), np.float32)
            ker[k // 2, :] = 1 / k
            if self.p(0.5):
                ker = ker.T
            img = cv2.filter2D(img, -1, ker)
        if self.p(0.3):
            h = int(self.u(16, 40))
            img = cv2.resize(cv2.resize(img, (h * 2, h), interpolation=cv2.INTER_AREA), (img.shape[1], img.shape[0]))
        img = cv2.resize(img, (OUT_W, OUT_H), interpolation=cv2.INTER_AREA)
        img = img + self.r.normal(0, self.u(0, 10), img.shape)
        img = np.clip(img, 0, 255).astype(np.uint8)
        if self.p(0.5):
            q = int(self.u(15, 90))
            img = cv2.imdecode(cv2.imencode('.jpg', img, [cv2.IMWRITE_JPEG_QUALITY, q])[1], cv2.IMREAD_GRAYSCALE)
        return img

    def sample(self):
        if self.p(0.15):
            plate, label, d = self.pool_plate()
        else:
            plate, label, d = self.compose()
        img = self.photometry(self.frame(plate))
        return img, label, self.designs.index(d)

    def batch(self, n):
        x = np.zeros((n, 1, OUT_H, OUT_W), np.uint8)
        labels, states = [], []
        for i in range(n):
            img, label, s = self.sample()
            x[i, 0] = img
            labels.append(label)
            states.append(s)
        return x, labels, np.array(states, np.int64)


# How far each side of a training crop is cut into the plate (negative) or padded past it, as a
# share of the plate's width: 'detector' is the framing of the committed platerec; 'loose' the
# detector's boxes on real frames (on the Open Images plates it did not train on they run from
# 10% into the plate to 19% past it), for the second recogniser (train_rec.py --framing).
SIDE_RANGES = {'detector': (-0.03, 0.07), 'loose': (-0.10, 0.19)}
SIDE_RANGE = SIDE_RANGES['detector']


def detector_quad(r, x0, y0, x1, y1, skew=0.06, max_deg=6.0):
    """The corners of a crop around the plate box (x0, y0)-(x1, y1) as a detector frames it: each
    side cut into the plate or padded by a few percent (sides `SIDE_RANGE`, top and bottom
    -7..+8%), then corners moved by up to `skew` of the width (perspective) and turned by up to
    `max_deg`: the crop is axis-aligned, the plate is not. Shared by synthetic and real crops, so
    that both teach the framing the pipeline's detector gives."""
    pw, ph = x1 - x0, y1 - y0
    l, rt = r.uniform(*SIDE_RANGE) * pw, r.uniform(*SIDE_RANGE) * pw
    t, b = r.uniform(-0.07, 0.08) * ph, r.uniform(-0.07, 0.08) * ph
    quad = np.array([[x0 - l, y0 - t], [x1 + rt, y0 - t], [x1 + rt, y1 + b], [x0 - l, y1 + b]], np.float32)
    j = r.uniform(0, skew) * pw
    quad += r.uniform(-j, j, quad.shape).astype(np.float32)
    ang = math.radians(r.uniform(-max_deg, max_deg))
    c = quad.mean(0)
    rot = np.array([[math.cos(ang), -math.sin(ang)], [math.sin(ang), math.cos(ang)]], np.float32)
    return (quad - c) @ rot.T + c


def crop_ink(m):
    ys, xs = np.nonzero(m > 0.1)
    if len(ys) == 0:
        return np.zeros((2, 2), np.float32)
    return np.ascontiguousarray(m[ys.min():ys.max() + 1, xs.min():xs.max() + 1])


def emblem(r, size):
    size = max(6, size)
    m = np.zeros((size, size), np.float32)
    k = int(r.integers(6))
    c = size // 2
    if k == 0:
        cv2.circle(m, (c, c), c - 1, 1.0, -1)
    elif k == 1:
        pts = [[c + (c - 1) * math.cos(a) * (1 if i % 2 == 0 else 0.45), c + (c - 1) * math.sin(a) * (1 if i % 2 == 0 else 0.45)]
               for i, a in enumerate(np.linspace(-math.pi / 2, 1.5 * math.pi, 11)[:-1])]
        cv2.fillPoly(m, [np.array(pts, np.int32)], 1.0)
    elif k == 2:  # a vertical figure (cactus, horse and rider: reads as I or 1 if not learnt)
        cv2.rectangle(m, (int(c - size * 0.12), 0), (int(c + size * 0.12), size - 1), 1.0, -1)
        cv2.rectangle(m, (int(size * 0.1), int(size * 0.3)), (int(size * 0.3), int(size * 0.6)), 1.0, -1)
        cv2.rectangle(m, (int(size * 0.7), int(size * 0.2)), (int(size * 0.9), int(size * 0.5)), 1.0, -1)
    elif k == 3:
        pts = r.uniform(0, size, (7, 2)).astype(np.int32)
        cv2.fillPoly(m, [cv2.convexHull(pts)], 1.0)
    elif k == 4:  # a ring or an outlined shape
        cv2.circle(m, (c, c), c - 1, 1.0, max(1, size // 6))
    else:  # a ragged outline (a state's shape), not convex
        ang = np.sort(r.uniform(0, 2 * math.pi, 9))
        rad = r.uniform(0.45, 1.0, 9) * (c - 1)
        pts = np.stack([c + rad * np.cos(ang), c + rad * np.sin(ang) * r.uniform(0.6, 1.0)], 1).astype(np.int32)
        cv2.fillPoly(m, [pts], 1.0)
    return cv2.GaussianBlur(m, (0, 0), 0.6)


def paste(img, mask, x, y, value, alpha=1.0):
    x, y = int(round(x)), int(round(y))
    h, w = mask.shape
    x0, y0 = max(0, x), max(0, y)
    x1, y1 = min(img.shape[1], x + w), min(img.shape[0], y + h)
    if x1 <= x0 or y1 <= y0:
        return
    m = mask[y0 - y:y1 - y, x0 - x:x1 - x] * alpha
    reg = img[y0:y1, x0:x1]
    reg += (value - reg) * m


if __name__ == '__main__':
    import sys
    import time
    s = Synth(int(sys.argv[1]) if len(sys.argv) > 1 else 0)
    t = time.time()
    x, labels, states = s.batch(64)
    print('ms/sample', (time.time() - t) / 64 * 1000)
    grid = np.concatenate([np.concatenate(list(x[i * 8:(i + 1) * 8, 0]), axis=1) for i in range(8)], axis=0)
    cv2.imwrite('/tmp/synth-grid.png', cv2.resize(grid, None, fx=2, fy=2, interpolation=cv2.INTER_NEAREST))
    print(labels[:16], [s.designs[i]['state'] for i in states[:16]])
