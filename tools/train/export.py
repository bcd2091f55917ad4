# SPDX-License-Identifier: AGPL-3.0-or-later
"""Export trained (or freshly initialised) models in the chalkline-nn format with golden files.

  python export.py --out DIR [--recognizer CKPT] [--detector CKPT] [--random]
"""

import argparse
import os

import torch

import models
from chalknet import load_exported, normalize, write_golden

GOLDEN_SHAPES = {
    "recognizer": [(1, models.REC_H, models.REC_W)] * 3,
    "detector": [(1, 64, 96), (1, 96, 160)],
}


def export_one(net, out_dir):
    stem = os.path.join(out_dir, net.name)
    net.eval()
    n = net.export(stem)
    write_golden(net, stem, GOLDEN_SHAPES[net.name])
    # Check that the files alone reproduce the PyTorch outputs (BN folding, offsets).
    again = load_exported(stem)
    x = torch.rand(1, *GOLDEN_SHAPES[net.name][-1])
    with torch.no_grad():
        a = net(normalize(x, net.input_spec))
        b = again(normalize(x, net.input_spec))
    err = max((a[k] - b[k]).abs().max().item() for k in a)
    print(f"{net.name}: {n} parameters, {4 * n / 1e6:.2f} MB, reload max abs diff {err:.2e}")
    assert err < 1e-4, "export does not reproduce the model"


def load(kind, ckpt):
    net = getattr(models, kind)()
    if ckpt:
        state = torch.load(ckpt, map_location="cpu", weights_only=False)
        weights = state["model"] if "model" in state else state
        if kind == "recognizer":
            net = models.recognizer_from_state(weights)
        else:
            net.load_state_dict(weights)
        if "meta" in state:
            net.meta.update(state["meta"])
    else:
        torch.manual_seed(7)
        # make batch-norm statistics non-trivial so the golden test exercises folding
        for bn in net.bns.values():
            bn.running_mean.uniform_(-0.2, 0.2)
            bn.running_var.uniform_(0.5, 1.5)
            bn.weight.data.uniform_(0.5, 1.5)
            bn.bias.data.uniform_(-0.2, 0.2)
    return net


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--recognizer")
    ap.add_argument("--detector")
    ap.add_argument("--random", action="store_true", help="export randomly initialised models")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    for kind in ("recognizer", "detector"):
        ckpt = getattr(a, kind)
        if ckpt or a.random:
            export_one(load(kind, ckpt), a.out)


if __name__ == "__main__":
    main()
