# SPDX-License-Identifier: AGPL-3.0-or-later
"""How often each plate layout (L = letter, D = digit) occurs on real US plates: the reader's
prior for ranking its alternatives (PlateReading's LayoutPrior).

Counted on the training split of plates-us-crops (data_rec.real_split: the same 645 crops the
recognizer trains on; the 101 validation crops stay out), lengths 2-8, the letter O folded to the
digit 0 as the labels and the recognizer do. Writes layouts.json next to the models.
The smoothing (0.5) and the weight (1: the prior as it is) were chosen on the validation crops
read under the training damage (tools/train/rerank.py), never on plates-us-dev.
"""
import argparse
import collections
import json
import os

import data_rec

SMOOTHING = 0.5


def layout(text):
    return "".join("D" if c.isdigit() else "L" for c in text)


def counts(rows):
    c = collections.Counter()
    for _, text in rows:
        t = data_rec.fold(text)
        if 2 <= len(t) <= 8 and t.isalnum():
            c[layout(t)] += 1
    return c


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True, help="folder of the shipped models")
    a = ap.parse_args()
    train, _ = data_rec.real_split()
    c = counts(train)
    doc = {
        "format": "chalkline-layouts/1",
        "source": "plates-us-crops, training split (%d crops with 2-8 characters)" % sum(c.values()),
        "smoothing": SMOOTHING,
        "counts": dict(sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))),
    }
    with open(os.path.join(a.out, "layouts.json"), "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print("layouts.json: %d layouts from %d plates" % (len(c), sum(c.values())))


if __name__ == "__main__":
    main()
