# SPDX-License-Identifier: AGPL-3.0-or-later
"""How much the layout prior (layouts.py) helps, measured without plates-us-dev: the 101
validation crops of plates-us-crops (never trained on), each read N times under the training
damage (data_rec.real_crop: camera scale 36-260 px, blur, noise, JPEG, loose/tight quads), decoded
with the Swift reader's beam search (width 16, 6 classes a column, 20 alternatives), then ranked
as PlateReader.rank does with the prior's counts from the training split raised to a weight.

  venv/bin/python rerank.py --recognizer ../../Sources/PlateReading/Resources/recognizer --per-crop 20

The shipped choice (smoothing 0.5, weight 1) came from this run: top-1 66.9 % with the earlier
fixed list of common formats (scored by an earlier version of this script), 69.6 % with the
layout prior (2,020 reads; 66.0 % with no prior).
"""
import argparse
import collections
import os
import pickle
import random

import numpy as np
import torch
import torch.nn.functional as F

import chalknet
import data_rec
import layouts
import models


def beam(p, width=16, max_classes=6, prune=1e-3, top=20):
    """CTC prefix beam search over a C×T probability matrix, as CTCDecoder.swift."""
    beams = {(): (1.0, 0.0)}
    for t in range(p.shape[1]):
        fr = p[:, t]
        cands = [k for k in np.argsort(-fr) if k != 0 and fr[k] >= prune][:max_classes]
        nxt = collections.defaultdict(lambda: [0.0, 0.0])
        for pre, (b, nb) in beams.items():
            s = nxt[pre]
            s[0] += (b + nb) * fr[0]
            if pre:
                s[1] += nb * fr[pre[-1]]
            for k in cands:
                x = nxt[pre + (k,)]
                x[1] += (b if pre and pre[-1] == k else b + nb) * fr[k]
        beams = dict(sorted(nxt.items(), key=lambda kv: -sum(kv[1]))[:width])
    ranked = sorted(beams.items(), key=lambda kv: -sum(kv[1]))[:top]
    return [("".join(models.CHARSET[k] for k in pre), sum(v)) for pre, v in ranked]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--recognizer", required=True, help="exported model stem (…/recognizer)")
    ap.add_argument("--per-crop", type=int, default=20)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--samples", help="a .pkl of the reads: written if missing, else read instead of reading again")
    a = ap.parse_args()
    torch.set_num_threads(1)
    rec = chalknet.load_exported(a.recognizer)
    train, val = data_rec.real_split()
    counts = layouts.counts(train)
    total = sum(counts.values())
    rng = random.Random(a.seed)
    samples = []
    if a.samples and os.path.exists(a.samples):
        with open(a.samples, "rb") as f:
            samples = pickle.load(f)
        val = []
    for path, text in val:
        g = data_rec.load_luma(path)
        for _ in range(a.per_crop):
            crop, _ = data_rec.real_crop(rng, g, text)
            with torch.no_grad():
                p = F.softmax(rec(data_rec.to_tensor(crop)[None])["logits"][0, :, 0, :], 0).numpy()
            samples.append((data_rec.fold(text), beam(p)))
    if a.samples and val:
        with open(a.samples, "wb") as f:
            pickle.dump(samples, f)

    def top1(smoothing, weight):
        hits = 0
        for truth, alts in samples:
            score = collections.defaultdict(float)
            for t, c in alts:
                if 2 <= len(t) <= 8:
                    prior = (counts.get(layouts.layout(t), 0) + smoothing) / (total + smoothing * 508)
                    score[t] += c * prior ** weight
            hits += bool(score) and max(score, key=score.get) == truth
        return 100 * hits / len(samples)

    print("reads", len(samples))
    print("no prior: top-1 %.2f %%" % top1(1, 0))
    for smoothing in (0.5, 2):
        for weight in (0.25, 0.5, 0.75, 1.0):
            print("smoothing %.1f weight %.2f: top-1 %.2f %%" % (smoothing, weight, top1(smoothing, weight)))

    # A character prior on top of the layout prior (measured, not shipped: MODEL.md): each character
    # weighed by its frequency among the training texts' letters (or digits), relative to uniform,
    # or by its frequency at its position within its layout, backed off to that with weight alpha.
    texts = [t for t in (data_rec.fold(t) for _, t in train) if 2 <= len(t) <= 8 and t.isalnum()]
    letters, digits = [c for c in models.CHARSET[1:] if c.isalpha() and c != "O"], list("0123456789")
    unigram = collections.Counter(c for t in texts for c in t)
    positional = collections.defaultdict(collections.Counter)
    for t in texts:
        for i, c in enumerate(t):
            positional[(layouts.layout(t), i)][c] += 1

    def char_ratio(c):
        group = digits if c.isdigit() else letters
        return (unigram[c] + 1) / (sum(unigram[x] for x in group) + len(group)) * len(group)

    def position_ratio(t, i, alpha):
        group = digits if t[i].isdigit() else letters
        seen = positional[(layouts.layout(t), i)]
        n = sum(seen[x] for x in group)
        return (seen[t[i]] + alpha * char_ratio(t[i]) / len(group)) / (n + alpha) * len(group)

    def top1_with(weigh):
        hits = 0
        for truth, alts in samples:
            score = collections.defaultdict(float)
            for t, c in alts:
                if 2 <= len(t) <= 8 and t.isalnum():
                    layout_prior = (counts.get(layouts.layout(t), 0) + 0.5) / (total + 0.5 * 508)
                    score[t] += c * layout_prior * weigh(t)
            hits += bool(score) and max(score, key=score.get) == truth
        return 100 * hits / len(samples)

    for weight in (0.5, 1.0, 1.5):
        print("layout prior and character unigram, weight %.1f: top-1 %.2f %%"
              % (weight, top1_with(lambda t: np.prod([char_ratio(c) for c in t]) ** weight)))
    for alpha in (5, 20, 50):
        for weight in (0.5, 1.0):
            print("layout prior and positional characters, alpha %d weight %.1f: top-1 %.2f %%"
                  % (alpha, weight, top1_with(
                      lambda t: np.prod([position_ratio(t, i, alpha) for i in range(len(t))]) ** weight)))


if __name__ == "__main__":
    main()
