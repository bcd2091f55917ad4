# SPDX-License-Identifier: AGPL-3.0-or-later
"""Recognizer samples: rectified plate crops (REC_H×REC_W luma) from synthetic plates and from the
real crops of plates-us-crops, with the corner error a detector makes."""

import csv
import math
import os
import random
import zlib

import cv2
import numpy as np
import torch

import models
import render

CROPS_DIR = os.environ.get("PLATES_CROPS", "/work/shared/data/plates-us-crops")


def fold(text):
    """Training targets never use the letter O: the ground truth writes it as 0 (MODEL.md)."""
    return text.upper().replace("O", "0")


def encode(text):
    return [models.CHARSET.index(c) for c in fold(text)]


def real_split():
    """(train, val) lists of (path, text); the split is fixed by a hash of the file name."""
    rows = []
    with open(os.path.join(CROPS_DIR, "groundtruth.csv")) as f:
        for r in csv.DictReader(f):
            rows.append((os.path.join(CROPS_DIR, r["image"]), r["plate"]))
    train, val = [], []
    for p, t in rows:
        (val if zlib.crc32(os.path.basename(p).encode()) % 7 == 0 else train).append((p, t))
    return train, val


def load_luma(path):
    return cv2.imread(path, cv2.IMREAD_GRAYSCALE).astype(np.float32)


def synth_plate(rng):
    plate, label = render.render_plate(rng)
    return render.luma(plate), label


def _surround(rng, g):
    """The plate on a canvas of car body / recess / bumper, so a loose quad shows something plausible
    (and not the replicated plate border). Returns (canvas, plate quad in the canvas)."""
    h, w = g.shape
    mx, my = int(w * 0.2), int(h * 0.4)
    canvas = np.full((h + 2 * my, w + 2 * mx), rng.uniform(0, 255), np.float32)
    canvas += np.random.default_rng(rng.randint(0, 1 << 30)).normal(0, rng.uniform(0, 20), canvas.shape)
    if rng.random() < 0.6:  # recess or frame a little larger than the plate
        ex, ey = int(w * rng.uniform(0.02, 0.15)), int(h * rng.uniform(0.03, 0.3))
        cv2.rectangle(canvas, (mx - ex, my - ey), (mx + w + ex, my + h + ey), rng.uniform(0, 255), -1)
        if rng.random() < 0.5:
            cv2.rectangle(canvas, (mx - ex, my - ey), (mx + w + ex, my + h + ey), rng.uniform(0, 255),
                          rng.randint(1, 4))
    if rng.random() < 0.4:  # a bumper / trunk edge above or below
        y = my - int(h * rng.uniform(0.1, 0.4)) if rng.random() < 0.5 else my + h + int(h * rng.uniform(0.1, 0.4))
        cv2.line(canvas, (0, y), (canvas.shape[1], y), rng.uniform(0, 255), rng.randint(1, 4))
    canvas[my:my + h, mx:mx + w] = g
    quad = np.float32([[mx, my], [mx + w, my], [mx + w, my + h], [mx, my + h]])
    return canvas, quad


def synth_crop(rng, plate=None, clean=False):
    g, label = plate if plate is not None else synth_plate(rng)
    canvas, quad = _surround(rng, g)
    return camera(rng, canvas, quad, clean=clean), label


def real_crop(rng, g, text, clean=False):
    if rng.random() < 0.6:
        canvas, quad = _surround(rng, g)
        return camera(rng, canvas, quad, clean=clean), text
    h, w = g.shape
    quad = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    # real crops include a little margin already; shrink the quad a bit sometimes
    return camera(rng, g, quad, inset=True, clean=clean), text


def camera(rng, img, quad, inset=False, clean=False):
    """Resample to a camera scale, degrade, then rectify with a jittered quad: independent corner
    jitter, and (half the time) the whole quad scaled and shifted the way a detector's box is off
    (mostly too loose, sometimes too tight)."""
    img, quad = camera_view(rng, img, quad, inset, clean)
    return render.rectify(img, quad, models.REC_W, models.REC_H)


def camera_view(rng, img, quad, inset=False, clean=False):
    """camera() before the rectification: the degraded image and the jittered quad."""
    pw = math.exp(rng.uniform(math.log(100 if clean else 36), math.log(260)))
    qw = np.linalg.norm(quad[1] - quad[0])
    s = min(1.0, pw / qw)
    if s < 1.0:
        img = cv2.resize(img, (max(8, int(img.shape[1] * s)), max(8, int(img.shape[0] * s))),
                         interpolation=cv2.INTER_AREA)
        quad = quad * s
    if not clean:
        img = render.degrade(rng, img.astype(np.float32))
    qw = np.linalg.norm(quad[1] - quad[0])
    qh = np.linalg.norm(quad[3] - quad[0])
    a = 0.03 if clean else 0.07
    jit = np.float32([[rng.uniform(-a, a) * qw, rng.uniform(-a, a) * qh] for _ in range(4)])
    if inset:
        jit += np.float32([[1, 1], [-1, 1], [-1, -1], [1, -1]]) * np.float32([qw, qh]) * rng.uniform(0, 0.05)
    elif not clean and rng.random() < 0.5:
        c = quad.mean(0)
        sx = rng.uniform(0.92, 1.3)
        sy = float(np.clip(sx * rng.uniform(0.85, 1.2), 0.9, 1.45))
        quad = (quad - c) * np.float32([sx, sy]) + c + np.float32([rng.uniform(-0.06, 0.06) * qw,
                                                                   rng.uniform(-0.1, 0.1) * qh])
    return img, quad + jit


class RecStream(torch.utils.data.IterableDataset):
    def __init__(self, real, real_frac=0.4, seed=0, curriculum_start=0):
        self.real = real
        self.curriculum_start = curriculum_start
        self.real_frac = real_frac
        self.seed = seed
        self.cache = {}
        self.pool = []

    def __iter__(self):
        info = torch.utils.data.get_worker_info()
        rng = random.Random(self.seed * 1000 + (info.id if info else 0))
        np.random.seed(rng.randint(0, 1 << 30))
        n = self.curriculum_start
        while True:
            # curriculum: mostly clean, large crops first (gets CTC past its all-blank plateau
            # sooner), then nearly all samples damaged
            n += 1
            clean = rng.random() < max(0.1, 0.7 - n / 30000)
            if self.real and rng.random() < self.real_frac:
                p, t = rng.choice(self.real)
                if p not in self.cache:
                    self.cache[p] = load_luma(p)
                img, label = real_crop(rng, self.cache[p], t, clean)
            else:
                # clean plates are reused a few times with new damage: rendering is the slow part
                if len(self.pool) < 2000 or rng.random() < 0.3:
                    plate = synth_plate(rng)
                    if len(self.pool) < 2000:
                        self.pool.append(plate)
                    else:
                        self.pool[rng.randrange(len(self.pool))] = plate
                else:
                    plate = rng.choice(self.pool)
                img, label = synth_crop(rng, plate, clean)
            yield to_tensor(img), label


def to_tensor(img):
    x = torch.from_numpy(np.ascontiguousarray(img, dtype=np.float32) / 255.0)[None]
    return (x - 0.5) / 0.5


# plate widths (px) of the small-plate validation: the size a plate has in a 1280-wide street frame
# from a side camera (most are 50-110 px), which the ~320 px real crops are not
SMALL_WIDTHS = (56, 72, 96)


def val_tensor(path, small=False):
    """A validation crop at the recognizer's input size; small=True first shrinks it to one of
    SMALL_WIDTHS (fixed per file by a hash) so its characters carry only a small plate's detail."""
    g = load_luma(path)
    if small:
        w = SMALL_WIDTHS[zlib.crc32(os.path.basename(path).encode()) % len(SMALL_WIDTHS)]
        h = max(8, round(g.shape[0] * w / g.shape[1]))
        g = cv2.resize(g, (w, h), interpolation=cv2.INTER_AREA)
        return to_tensor(cv2.resize(g, (models.REC_W, models.REC_H), interpolation=cv2.INTER_LINEAR))
    return to_tensor(cv2.resize(g, (models.REC_W, models.REC_H), interpolation=cv2.INTER_AREA))


def collate(batch):
    xs = torch.stack([b[0] for b in batch])
    labels = [encode(b[1]) for b in batch]
    targets = torch.tensor([c for l in labels for c in l], dtype=torch.long)
    lengths = torch.tensor([len(l) for l in labels], dtype=torch.long)
    return xs, targets, lengths, [fold(b[1]) for b in batch]


def greedy(logits):
    """logits: N×C×1×T -> list of strings (CTC best path)."""
    idx = logits[:, :, 0, :].argmax(1)
    out = []
    for row in idx.tolist():
        s, prev = [], 0
        for k in row:
            if k != prev and k != 0:
                s.append(models.CHARSET[k])
            prev = k
        out.append("".join(s))
    return out
