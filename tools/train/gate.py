# SPDX-License-Identifier: AGPL-3.0-or-later
"""How sure the recognizer's best path is on real plates: the geometric mean of its characters'
probabilities on every crop of plates-us-crops, scaled to 320, 90 and 55 px wide. The reader drops
a detection whose best path falls below PlateReader.minimumTextConfidence (0.3, half the lowest
value this printed for the shipped recognizer: 0.60) as not plate text.

  venv/bin/python gate.py --recognizer ../../Sources/PlateReading/Resources/recognizer
"""
import argparse

import cv2
import numpy as np
import torch
import torch.nn.functional as F

import chalknet
import data_rec
import models


def best_path_confidence(rec, img):
    crop = cv2.resize(img, (models.REC_W, models.REC_H), interpolation=cv2.INTER_LINEAR)
    with torch.no_grad():
        p = F.softmax(rec(data_rec.to_tensor(crop)[None])["logits"][0, :, 0, :], 0).numpy()
    conf, prev = [], 0
    for t, k in enumerate(p.argmax(0)):
        if k != 0:
            if k != prev:
                conf.append(p[k, t])
            else:
                conf[-1] = max(conf[-1], p[k, t])
        prev = k
    return float(np.exp(np.mean(np.log(conf)))) if conf else 0.0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--recognizer", required=True, help="exported model stem (…/recognizer)")
    a = ap.parse_args()
    torch.set_num_threads(1)
    rec = chalknet.load_exported(a.recognizer)
    train, val = data_rec.real_split()
    for name, rows in (("validation", val), ("training", train)):
        for width in (320, 90, 55):
            values = []
            for path, _ in rows:
                img = data_rec.load_luma(path)
                h, w = img.shape
                if width < w:
                    img = cv2.resize(img, (width, max(8, round(h * width / w))), interpolation=cv2.INTER_AREA)
                values.append(best_path_confidence(rec, img))
            q = np.quantile(values, [0, 0.01, 0.05, 0.5])
            print("%-10s %3d px: min %.3f, 1 %% %.3f, 5 %% %.3f, median %.3f" % (name, width, *q))


if __name__ == "__main__":
    main()
