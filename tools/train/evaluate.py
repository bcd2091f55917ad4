# SPDX-License-Identifier: AGPL-3.0-or-later
"""End-to-end evaluation in PyTorch: detector + rectifier + recognizer on a folder of photos with
a ground-truth TSV (plates-us-dev). Writes a predictions TSV for score-plates.py and prints the
detection recall (IoU >= 0.5 with the truth box), which score-plates.py does not measure. A model is
a checkpoint (.pt) or the stem of exported files (../../Sources/PlateReading/Resources/recognizer).

  python evaluate.py --detector CKPT --recognizer CKPT --images DIR --pred OUT.tsv
  python3 /work/shared/tools/score-plates.py --fold-o0 OUT.tsv DIR/groundtruth.tsv
  python evaluate.py --truth-boxes --recognizer CKPT   # the recognizer alone, in the truth corners

Evaluation only: nothing here feeds back into training."""

import argparse
import math
import os
import time

import cv2
import numpy as np
import torch
import torch.nn.functional as F

import chalknet
import data_rec
import export
import models
import render


def detect(det, gray, threshold=0.3, max_plates=8):
    """gray: H×W uint8 frame. Returns [(score, quad 4×2 in frame pixels)], best first."""
    h, w = gray.shape
    s = models.DET_INPUT_WIDTH / w
    nw, nh = models.DET_INPUT_WIDTH, max(1, round(h * s))
    small = cv2.resize(gray, (nw, nh), interpolation=cv2.INTER_AREA).astype(np.float32) / 255.0
    ph = (nh + models.DET_PAD - 1) // models.DET_PAD * models.DET_PAD
    pw = (nw + models.DET_PAD - 1) // models.DET_PAD * models.DET_PAD
    x = np.zeros((ph, pw), np.float32)
    x[:nh, :nw] = small
    with torch.no_grad():
        out = det((torch.from_numpy(x)[None, None] - 0.5) / 0.5)
    heat, reg = out["heatmap"][0, 0], out["regression"][0]
    peaks = (heat == F.max_pool2d(heat[None, None], 3, 1, 1)[0, 0]) & (heat > threshold)
    found = []
    st = models.DET_STRIDE
    for i, j in zip(*torch.nonzero(peaks, as_tuple=True)):
        i, j = int(i), int(j)
        r = reg[:, i, j].numpy()
        c = np.float32([j + r[0], i + r[1]])
        quad = (c + r[2:].reshape(4, 2)) * st / s
        found.append((float(heat[i, j]), quad))
    found.sort(key=lambda f: -f[0])
    return found[:max_plates]


def read(rec, gray, quad, topn=10):
    """Rectify the quad and read it: (text, confidence, alternatives)."""
    crop = render.rectify(gray.astype(np.float32), quad, models.REC_W, models.REC_H)
    x = (torch.from_numpy(crop / 255.0).float()[None, None] - 0.5) / 0.5
    with torch.no_grad():
        logits = rec(x)["logits"][0, :, 0, :]  # C×T
    p = F.softmax(logits, 0).numpy()
    return ctc_alternatives(p, topn)


def _collapse(path):
    s, prev = [], 0
    for k in path:
        if k != prev and k != 0:
            s.append(models.CHARSET[k])
        prev = k
    return "".join(s)


def ctc_alternatives(p, topn):
    """Best path plus variants that change the least certain columns to their runner-up."""
    best = p.argmax(0)
    order = np.argsort(-p, 0)
    margin = p[order[0], range(p.shape[1])] - p[order[1], range(p.shape[1])]
    logp = np.log(np.clip(p, 1e-9, 1))
    base = float(sum(logp[best[t], t] for t in range(p.shape[1])))
    cands = {_collapse(best): base}
    weak = np.argsort(margin)[:8]
    for t in weak:
        for k in order[1:3, t]:
            path = best.copy()
            path[t] = k
            sc = base - logp[best[t], t] + logp[k, t]
            txt = _collapse(path)
            cands[txt] = max(cands.get(txt, -1e9), sc)
    for a in range(len(weak)):  # pairs of the weakest columns
        for b in range(a + 1, min(len(weak), 5)):
            ta, tb = weak[a], weak[b]
            path = best.copy()
            path[ta], path[tb] = order[1, ta], order[1, tb]
            sc = base - logp[best[ta], ta] + logp[path[ta], ta] - logp[best[tb], tb] + logp[path[tb], tb]
            txt = _collapse(path)
            cands[txt] = max(cands.get(txt, -1e9), sc)
    ranked = sorted(((s, t) for t, s in cands.items() if t), reverse=True)
    return [(t, math.exp(s)) for s, t in ranked[:topn]]


def iou(a, b):
    ix = max(0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    u = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / u if u > 0 else 0.0


def load_model(kind, path):
    """A training checkpoint (.pt), or the exported files NAME.json + NAME.bin given as NAME."""
    if path.endswith(".pt"):
        return export.load(kind, path).eval()
    return chalknet.load_exported(path)


def read_truth_boxes(rec, images):
    """How many photos the recognizer reads right (O/0 folded) in their truth corners: what the
    reader could reach with perfect boxes."""
    right, wrong = 0, []
    with open(os.path.join(images, "groundtruth.tsv")) as f:
        rows = [line.rstrip("\n").split("\t") for line in f if line.strip()]
    for name, text, corners in (r[:3] for r in rows if len(r) >= 3):
        quad = np.float32([float(t) for t in corners.split(",")]).reshape(4, 2)
        gray = cv2.imread(os.path.join(images, name), cv2.IMREAD_GRAYSCALE)
        alts = read(rec, gray, quad)
        got = alts[0][0] if alts else ""
        if data_rec.fold(got) == data_rec.fold(text):
            right += 1
        else:
            wrong.append(f"{name}({got})")
    print(f"read right in the truth boxes: {right}/{len(rows)}")
    print("wrong:", " ".join(wrong))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--detector", help="a checkpoint (.pt) or the stem of exported files (…/Resources/detector)")
    ap.add_argument("--recognizer", required=True, help="a checkpoint (.pt) or the stem of exported files")
    ap.add_argument("--images", default="/work/shared/data/plates-us-dev")
    ap.add_argument("--pred")
    ap.add_argument("--threshold", type=float, default=0.3)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--truth-boxes", action="store_true",
                    help="read each photo in its truth corners only (the recognizer alone, best path, one view)")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    rec = load_model("recognizer", a.recognizer)
    if a.truth_boxes:
        return read_truth_boxes(rec, a.images)
    if not a.detector or not a.pred:
        ap.error("--detector and --pred are needed unless --truth-boxes")
    det = load_model("detector", a.detector)
    gt = {}
    with open(os.path.join(a.images, "groundtruth.tsv")) as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) >= 3:
                v = [float(t) for t in parts[2].split(",")]
                gt[parts[0]] = (min(v[0::2]), min(v[1::2]), max(v[0::2]), max(v[1::2]))
    hits, n, t_total = 0, 0, 0.0
    misses = []
    with open(a.pred, "w") as out:
        for name in sorted(gt):
            gray = cv2.imread(os.path.join(a.images, name), cv2.IMREAD_GRAYSCALE)
            t0 = time.process_time()
            plates = detect(det, gray, a.threshold)
            reads = []
            for score, quad in plates:
                alts = read(rec, gray, quad)
                if alts and 2 <= len(alts[0][0]) <= 8:
                    reads.append((score * alts[0][1] ** (1 / max(1, len(alts[0][0]))), alts, quad))
            t_total += time.process_time() - t0
            reads.sort(key=lambda r: -r[0])
            for _, alts, _ in reads:
                out.write(name + "\t" + "\t".join(t for t, _ in alts) + "\n")
            best = max((iou(gt[name], (q[:, 0].min(), q[:, 1].min(), q[:, 0].max(), q[:, 1].max()))
                        for _, q in plates), default=0.0)
            n += 1
            if best >= 0.5:
                hits += 1
            else:
                misses.append((name, round(best, 2)))
    print(f"detection recall (IoU>=0.5): {hits}/{n} = {hits / n:.3f}; CPU {t_total / n * 1000:.0f} ms/image (PyTorch)")
    print("missed:", " ".join(f"{m}({b})" for m, b in misses))


if __name__ == "__main__":
    main()
