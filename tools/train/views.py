# SPDX-License-Identifier: AGPL-3.0-or-later
"""What the reader's extra views are worth, measured without plates-us-dev: each of the 101
validation crops of plates-us-crops is damaged N times as in training (data_rec.camera_view: camera
scale 36-260 px, blur, noise, JPEG, a loose or tight quad), and every damaged image is read in its
own quad and in that quad grown about its centre by each margin of a view set (as
PlateReader.expanded does). A set's reads are merged as PlateReader.rank merges a plate's views
(each view's beam alternatives at 1/views, weighed by the layout prior), and top-1 is counted.

  venv/bin/python views.py --recognizer ../../Sources/PlateReading/Resources/recognizer --per-crop 30 \\
      --sets=none/-0.05,0.15/-0.05,0.05,0.15
"""
import argparse
import collections
import random

import numpy as np
import torch
import torch.nn.functional as F

import chalknet
import data_rec
import layouts
import models
import render
import rerank


def grown(quad, margin):
    c = quad.mean(0)
    return (quad - c) * (1 + margin) + c


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--recognizer", required=True, help="exported model stem (…/recognizer)")
    ap.add_argument("--per-crop", type=int, default=30)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--sets", required=True, help="view sets, separated by '/': each comma-separated margins, or 'none'")
    a = ap.parse_args()
    torch.set_num_threads(1)
    rec = chalknet.load_exported(a.recognizer)
    train, val = data_rec.real_split()
    counts = layouts.counts(train)
    total = sum(counts.values())
    names = a.sets.split("/")
    sets = [[] if s == "none" else [float(x) for x in s.split(",")] for s in names]
    margins = sorted({0.0} | {m for s in sets for m in s})
    rng = random.Random(a.seed)

    def read(img, quad):
        crop = render.rectify(img, quad, models.REC_W, models.REC_H)
        with torch.no_grad():
            p = F.softmax(rec(data_rec.to_tensor(crop)[None])["logits"][0, :, 0, :], 0).numpy()
        return rerank.beam(p)

    def prior(t):
        return (counts.get(layouts.layout(t), 0) + layouts.SMOOTHING) / (total + layouts.SMOOTHING * 508)

    hits = [0] * len(sets)
    n = 0
    for path, text in val:
        g = data_rec.load_luma(path)
        for _ in range(a.per_crop):
            if rng.random() < 0.6:
                canvas, quad = data_rec._surround(rng, g)
                img, quad = data_rec.camera_view(rng, canvas, quad)
            else:
                h, w = g.shape
                quad = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
                img, quad = data_rec.camera_view(rng, g, quad, inset=True)
            reads = {m: read(img, grown(quad, m)) for m in margins}
            truth = data_rec.fold(text)
            n += 1
            for i, s in enumerate(sets):
                views = [0.0] + s
                score = collections.defaultdict(float)
                for m in views:
                    for t, c in reads[m]:
                        if 2 <= len(t) <= 8:
                            score[t] += c / len(views) * prior(t)
                hits[i] += bool(score) and max(score, key=score.get) == truth
    print("reads", n)
    for s, h in zip(names, hits):
        print("views %-24s top-1 %.2f %% (%d)" % (s, 100 * h / n, h))


if __name__ == "__main__":
    main()
