# SPDX-License-Identifier: AGPL-3.0-or-later
"""Detector samples: procedural street scenes (gradients, buildings, poles, car rears, signs,
distractor text) at the detector's input scale, with synthetic plates and the real crops of
plates-us-crops pasted in with perspective; CenterNet-style targets."""

import csv
import math
import os
import random

import cv2
import numpy as np
import torch
from PIL import Image, ImageDraw

import models
import render
from data_rec import CROPS_DIR, load_luma

WORDS = ["STOP", "ONE WAY", "NO PARKING", "2 HOUR PARKING", "8AM-6PM", "EXCEPT SUNDAY", "TOW AWAY ZONE", "SALE",
         "OPEN", "PHARMACY", "MAIN ST", "PERMIT", "AREA B", "BUS", "DONUTS", "CAFE", "EXIT", "SPEED LIMIT 25",
         "HONDA", "TOYOTA", "CIVIC", "CAMRY", "F-150", "4x4", "HYBRID", "V6", "ACCORD", "LEXUS", "1500", "AWD"]


def real_crops():
    out = []
    with open(os.path.join(CROPS_DIR, "groundtruth.csv")) as f:
        for r in csv.DictReader(f):
            out.append(os.path.join(CROPS_DIR, r["image"]))
    return out


def _noise_field(rng, h, w, scale):
    small = np.random.default_rng(rng.randint(0, 1 << 30)).normal(0, 1, (max(2, h // scale), max(2, w // scale)))
    return cv2.resize(small.astype(np.float32), (w, h), interpolation=cv2.INTER_CUBIC)


def _background(rng, h, w):
    g = np.linspace(rng.uniform(0, 255), rng.uniform(0, 255), h, dtype=np.float32)[:, None] * np.ones((1, w), np.float32)
    g += _noise_field(rng, h, w, rng.choice([8, 16, 32, 64])) * rng.uniform(5, 40)
    img = Image.fromarray(np.clip(g, 0, 255).astype(np.uint8), "L")
    d = ImageDraw.Draw(img)
    for _ in range(rng.randint(3, 14)):  # buildings, windows, road marks, poles, shadows
        k = rng.random()
        c = int(rng.uniform(0, 255))
        if k < 0.45:
            x, y = rng.uniform(-50, w), rng.uniform(-50, h)
            d.rectangle([x, y, x + rng.uniform(5, w / 2), y + rng.uniform(5, h / 2)], fill=c)
        elif k < 0.65:
            x = rng.uniform(0, w)
            d.line([x, rng.uniform(-10, h), x + rng.uniform(-20, 20), rng.uniform(0, h + 10)], fill=c,
                   width=rng.randint(1, 8))
        elif k < 0.8:
            x, y, r = rng.uniform(0, w), rng.uniform(0, h), rng.uniform(3, 60)
            d.ellipse([x - r, y - r * 0.6, x + r, y + r * 0.6], fill=c)
        else:  # window grid / grille / fence texture
            x, y = rng.uniform(0, w), rng.uniform(0, h)
            cw, ch = rng.uniform(3, 20), rng.uniform(3, 20)
            for i in range(rng.randint(2, 8)):
                for j in range(rng.randint(1, 5)):
                    d.rectangle([x + i * cw * 1.5, y + j * ch * 1.5, x + i * cw * 1.5 + cw, y + j * ch * 1.5 + ch], fill=c)
    return img


def _text(rng, d, x, y, size, fill, words_only=False):
    s = rng.choice(WORDS) if words_only or rng.random() < 0.6 else "".join(
        rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ0123456789 ") for _ in range(rng.randint(2, 9)))
    d.text((x, y), s, font=render.font(rng.choice(render.ALL_FONTS), max(6, int(size))), fill=fill)


def _car(rng, d, cx, bottom, pw):
    """A car rear around a plate of width pw centred at cx; returns the plate centre y."""
    cw = pw * rng.uniform(4.0, 6.5)
    ch = cw * rng.uniform(0.55, 0.85)
    body = int(rng.uniform(0, 255))
    x0, y0 = cx - cw / 2 + rng.uniform(-0.1, 0.1) * cw, bottom - ch
    d.rounded_rectangle([x0, y0 + ch * 0.15, x0 + cw, bottom], radius=int(cw * 0.08), fill=body)
    # rear window
    win = int(rng.uniform(10, 90))
    d.polygon([(x0 + cw * 0.15, y0 + ch * 0.18), (x0 + cw * 0.85, y0 + ch * 0.18), (x0 + cw * 0.78, y0 - ch * 0.15),
               (x0 + cw * 0.22, y0 - ch * 0.15)], fill=win)
    # tail lights
    tl = int(rng.uniform(40, 200))
    ly = y0 + ch * rng.uniform(0.25, 0.45)
    lw, lh = cw * rng.uniform(0.1, 0.2), ch * rng.uniform(0.08, 0.2)
    d.rectangle([x0 + cw * 0.03, ly, x0 + cw * 0.03 + lw, ly + lh], fill=tl)
    d.rectangle([x0 + cw * 0.97 - lw, ly, x0 + cw * 0.97, ly + lh], fill=tl)
    # bumper
    d.rectangle([x0 - 2, bottom - ch * 0.2, x0 + cw + 2, bottom - ch * 0.05], fill=int(rng.uniform(0, 120)))
    # badges / model names: distractor text on the car
    for _ in range(rng.randint(0, 3)):
        _text(rng, d, x0 + rng.uniform(0.1, 0.75) * cw, y0 + rng.uniform(0.2, 0.6) * ch, pw * rng.uniform(0.1, 0.3),
              int(rng.uniform(0, 255)))
    return bottom - ch * rng.uniform(0.2, 0.45)


def _sign(rng, d, w, h):
    sw = rng.uniform(20, 150)
    sh = sw * rng.uniform(0.3, 1.5)
    x, y = rng.uniform(-20, w), rng.uniform(-20, h)
    bg = int(rng.uniform(150, 255)) if rng.random() < 0.7 else int(rng.uniform(0, 100))
    d.rectangle([x, y, x + sw, y + sh], fill=bg, outline=int(255 - bg) if rng.random() < 0.5 else None,
                width=rng.randint(1, 3))
    for i in range(rng.randint(1, 3)):
        _text(rng, d, x + sw * 0.08, y + sh * (0.1 + 0.3 * i), sh * rng.uniform(0.15, 0.3), int(255 - bg), True)


def _plate_quad(rng, cx, cy, pw):
    ph = pw * rng.uniform(0.45, 0.58)
    yaw = rng.uniform(-0.3, 0.3)  # one side shorter (the car seen from an angle)
    rot = math.radians(rng.gauss(0, 4))
    hl, hr = ph * (1 + min(0, yaw)), ph * (1 - max(0, yaw))
    w2 = pw / 2 * math.cos(abs(yaw) * 0.8)
    pts = np.float32([[-w2, -hl / 2], [w2, -hr / 2], [w2, hr / 2], [-w2, hl / 2]])
    pts[:, 1] += pts[:, 0] * rng.uniform(-0.08, 0.08)  # vertical skew
    c, s = math.cos(rot), math.sin(rot)
    pts = pts @ np.float32([[c, s], [-s, c]])
    return pts + np.float32([cx, cy])


def _paste(canvas, src, quad):
    H, W = canvas.shape
    x0, y0 = max(0, int(quad[:, 0].min()) - 1), max(0, int(quad[:, 1].min()) - 1)
    x1, y1 = min(W, int(quad[:, 0].max()) + 2), min(H, int(quad[:, 1].max()) + 2)
    if x1 <= x0 or y1 <= y0:
        return
    pw = quad[:, 0].max() - quad[:, 0].min()
    if src.shape[1] > 2 * pw:  # shrink first so the warp does not alias
        f = 2 * pw / src.shape[1]
        src = cv2.resize(src, (max(4, int(src.shape[1] * f)), max(4, int(src.shape[0] * f))),
                         interpolation=cv2.INTER_AREA)
    h, w = src.shape
    m = cv2.getPerspectiveTransform(np.float32([[0, 0], [w, 0], [w, h], [0, h]]),
                                    np.float32(quad) - np.float32([x0, y0]))
    warped = cv2.warpPerspective(src, m, (x1 - x0, y1 - y0), flags=cv2.INTER_LINEAR)
    mask = cv2.warpPerspective(np.ones_like(src), m, (x1 - x0, y1 - y0), flags=cv2.INTER_LINEAR)
    roi = canvas[y0:y1, x0:x1]
    roi[:] = roi * (1 - mask) + warped * mask


def _surround(rng, canvas, q, pw):
    """What sits around a real plate and must not be taken for its edge: the recess (darker, lighter or
    body-coloured, often only a little larger than the plate), its rim, the licence lamp housing above,
    bumper and trunk edges just above or below. The label stays the plate's own outer edge."""
    c = q.mean(0)
    near = float(canvas[int(np.clip(c[1], 0, canvas.shape[0] - 1)), int(np.clip(c[0], 0, canvas.shape[1] - 1))])
    if rng.random() < 0.8:
        k = rng.random()
        fill = rng.uniform(0, 140) if k < 0.5 else rng.uniform(120, 255) if k < 0.7 else near + rng.uniform(-40, 40)
        sx = rng.uniform(1.04, 1.25) if rng.random() < 0.5 else rng.uniform(1.25, 1.6)
        sy = rng.uniform(1.06, 1.35) if rng.random() < 0.5 else rng.uniform(1.35, 1.8)
        pocket = (q - c) * np.float32([sx, sy]) + c
        pocket += np.float32([rng.uniform(-0.04, 0.04) * pw, rng.uniform(-0.1, 0.1) * pw])
        pts = np.round(pocket).astype(np.int32)
        cv2.fillPoly(canvas, [pts], float(np.clip(fill, 0, 255)))
        if rng.random() < 0.6:  # rim / shadow line of the recess
            cv2.polylines(canvas, [pts], True, rng.uniform(0, 255), rng.randint(1, 3))
        if rng.random() < 0.3:  # a second, outer rim
            outer = np.round((pocket - c) * np.float32([1.08, 1.12]) + c).astype(np.int32)
            cv2.polylines(canvas, [outer], True, rng.uniform(0, 255), rng.randint(1, 2))
    top, bot = q[:, 1].min(), q[:, 1].max()
    ph = bot - top
    if rng.random() < 0.35:  # licence lamp housing just above the plate
        lw = pw * rng.uniform(0.1, 0.3)
        x = c[0] + rng.uniform(-0.4, 0.4) * pw
        y = top - ph * rng.uniform(0.05, 0.35)
        cv2.rectangle(canvas, (int(x - lw / 2), int(y - ph * 0.12)), (int(x + lw / 2), int(y)), rng.uniform(0, 255), -1)
    for _ in range(rng.randint(0, 2)):  # bumper / trunk edges close to the plate
        y = top - ph * rng.uniform(0.05, 0.6) if rng.random() < 0.5 else bot + ph * rng.uniform(0.05, 0.6)
        x0, x1 = c[0] - pw * rng.uniform(0.7, 3), c[0] + pw * rng.uniform(0.7, 3)
        cv2.line(canvas, (int(x0), int(y)), (int(x1), int(y + rng.uniform(-0.05, 0.05) * pw)), rng.uniform(0, 255),
                 rng.randint(1, 3))


class Scenes:
    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.real = real_crops()
        self.real_cache = {}
        self.pool = []

    def plate_image(self):
        rng = self.rng
        if rng.random() < 0.45:
            p = rng.choice(self.real)
            if p not in self.real_cache:
                self.real_cache[p] = load_luma(p)
            return self.real_cache[p]
        if len(self.pool) < 800 or rng.random() < 0.25:
            g = render.luma(render.render_plate(rng)[0])
            if len(self.pool) < 800:
                self.pool.append(g)
            else:
                self.pool[rng.randrange(len(self.pool))] = g
            return g
        return rng.choice(self.pool)

    def scene(self, h, w):
        """(luma float32 h×w, list of 4×2 corner arrays) at the detector's input scale."""
        rng = self.rng
        img = _background(rng, h, w)
        d = ImageDraw.Draw(img)
        for _ in range(rng.randint(0, 4)):
            _sign(rng, d, w, h)
        for _ in range(rng.randint(0, 5)):
            _text(rng, d, rng.uniform(-20, w), rng.uniform(-10, h), rng.uniform(5, 40), int(rng.uniform(0, 255)))
        n = rng.choice([0, 1, 1, 1, 2, 2, 3]) if rng.random() > 0.05 else 0
        centres = []
        for _ in range(n):
            pw = math.exp(rng.uniform(math.log(18), math.log(180)))
            for _try in range(10):
                cx, bottom = rng.uniform(0.05, 0.95) * w, rng.uniform(0.3, 1.3) * h
                if all(abs(cx - x) > (pw + q) * 0.8 or abs(bottom - y) > pw for x, y, q in centres):
                    break
            cy = _car(rng, d, cx, bottom, pw) if rng.random() < 0.8 else rng.uniform(0.1, 0.9) * h
            cy = min(max(cy, -pw * 0.1), h + pw * 0.1)
            centres.append((cx, bottom, pw))
            centres[-1] = (cx, cy, pw)
        canvas = np.asarray(img, dtype=np.float32).copy()
        quads = []
        for cx, cy, pw in centres:
            q = _plate_quad(rng, cx, cy, pw)
            if rng.random() < 0.75:
                _surround(rng, canvas, q, pw)
            _paste(canvas, self.plate_image() * rng.uniform(0.6, 1.1), q)
            quads.append(q)
        # occluders in front (poles, other cars' edges) sometimes over a plate edge
        if rng.random() < 0.15 and quads:
            q = rng.choice(quads)
            x = q[:, 0].min() + rng.uniform(-0.1, 0.3) * (q[:, 0].max() - q[:, 0].min())
            cv2.rectangle(canvas, (int(x - rng.uniform(2, 10)), 0), (int(x), h), rng.uniform(0, 255), -1)
        canvas = render.degrade(rng, canvas)
        return canvas, quads


def targets(quads, h, w, stride=models.DET_STRIDE):
    oh, ow = h // stride, w // stride
    heat = np.zeros((1, oh, ow), np.float32)
    reg = np.zeros((10, oh, ow), np.float32)
    mask = np.zeros((1, oh, ow), np.float32)
    yy, xx = np.mgrid[0:oh, 0:ow].astype(np.float32)
    for q in quads:
        q = q / stride
        c = q.mean(0)
        bw = q[:, 0].max() - q[:, 0].min()
        bh = q[:, 1].max() - q[:, 1].min()
        if not (0 <= c[0] < ow and 0 <= c[1] < oh):
            continue
        sx, sy = max(0.5, bw / 6), max(0.5, bh / 6)
        g = np.exp(-((xx + 0.5 - c[0]) ** 2) / (2 * sx * sx) - ((yy + 0.5 - c[1]) ** 2) / (2 * sy * sy))
        heat[0] = np.maximum(heat[0], g)
        ci, cj = int(c[1]), int(c[0])
        heat[0, ci, cj] = 1.0
        for di in (-1, 0, 1):
            for dj in (-1, 0, 1):
                i, j = ci + di, cj + dj
                if 0 <= i < oh and 0 <= j < ow and (di == 0 and dj == 0 or mask[0, i, j] == 0):
                    reg[0, i, j] = c[0] - j
                    reg[1, i, j] = c[1] - i
                    reg[2:, i, j] = (q - c).reshape(-1)
                    mask[0, i, j] = 1.0 if (di == 0 and dj == 0) else 0.5
    return heat, reg, mask


class DetStream(torch.utils.data.IterableDataset):
    def __init__(self, h=256, w=320, seed=0):
        self.h, self.w, self.seed = h, w, seed

    def __iter__(self):
        info = torch.utils.data.get_worker_info()
        sc = Scenes(self.seed * 1000 + (info.id if info else 0))
        np.random.seed(sc.rng.randint(0, 1 << 30))
        buf = []
        while True:
            # scenes are reused once in a while, mirrored: generating them is the slow part
            if len(buf) >= 300 and sc.rng.random() < 0.4:
                img, quads = buf[sc.rng.randrange(len(buf))]
                img = img[:, ::-1].copy()
                quads = [np.float32(q[[1, 0, 3, 2]] * [-1, 1] + [self.w, 0]) for q in quads]
            else:
                img, quads = sc.scene(self.h, self.w)
                if len(buf) < 300:
                    buf.append((img, quads))
                else:
                    buf[sc.rng.randrange(len(buf))] = (img, quads)
            heat, reg, mask = targets(quads, self.h, self.w)
            x = (torch.from_numpy(img / 255.0).float()[None] - 0.5) / 0.5
            yield x, torch.from_numpy(heat), torch.from_numpy(reg), torch.from_numpy(mask)
