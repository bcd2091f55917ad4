# SPDX-License-Identifier: AGPL-3.0-or-later
"""Architectures of the shipped models (see MODEL.md for the reasons)."""

from chalknet import ChalkNet

CHARSET = "-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"  # index 0 = CTC blank

REC_H, REC_W = 32, 128
REC_ROWS = REC_H // 8  # rows left after the recognizer's three poolings in height
DET_INPUT_WIDTH = 640  # the frame is resized to this width (aspect kept), then padded
DET_PAD = 16           # ... to a multiple of this, right and bottom, with luma 0
DET_STRIDE = 8


def conv(name, cin, cout, k=3, s=1, act="relu", bn=True, inp=None, pad=None):
    kh, kw = (k, k) if isinstance(k, int) else k
    sh, sw = (s, s) if isinstance(s, int) else s
    ph, pw = pad if pad is not None else (kh // 2, kw // 2)
    d = {"name": name, "op": "conv2d", "in_channels": cin, "out_channels": cout, "kernel": [kh, kw],
         "stride": [sh, sw], "padding": [ph, pw], "groups": 1, "activation": act, "bn": bn}
    if inp:
        d["input"] = inp
    return d


def pool(name, k, s):
    return {"name": name, "op": "maxpool2d", "kernel": list(k), "stride": list(s), "padding": [0, 0]}


def recognizer(collapse="fold_h"):
    """collapse: "fold_h" (shipped since the ninth run) stacks the REC_ROWS rows of c6 as channels, so the
    column classifier sees where in the height a stroke is (0/Q, 8/B, T/I, V/U differ by that);
    "mean_h" (up to the eighth run) averages them. fold_from_mean turns a mean_h model into an
    equivalent fold_h one, so a trained model can be warm-started across the change."""
    rows = REC_ROWS if collapse == "fold_h" else 1
    layers = [
        conv("c1", 1, 16),
        pool("p1", (2, 2), (2, 2)),
        conv("c2", 16, 32),
        pool("p2", (2, 2), (2, 2)),
        conv("c3", 32, 64),
        conv("c4", 64, 64),
        pool("p3", (2, 1), (2, 1)),
        conv("c5", 64, 96),
        conv("c6", 96, 96),
        {"name": "collapse", "op": collapse},
        conv("c7", 96 * rows, 96, k=(1, 3)),
        {"name": "logits", "op": "linear", "in_features": 96, "out_features": len(CHARSET), "activation": "none"},
    ]
    meta = {
        "charset": CHARSET, "blank": 0, "decoder": "ctc",
        "crop": "the plate quadrilateral (TL,TR,BR,BL) warped to the input size, luma",
        "time_steps": REC_W // 4, "column_width_px": 4,
    }
    return ChalkNet("recognizer", {"channels": 1, "height": REC_H, "width": REC_W, "mean": 0.5, "std": 0.5},
                    layers, ["logits"], meta)


def fold_from_mean(old, new):
    """Load a mean_h recognizer's weights into a fold_h one that computes exactly the same: c7's
    weight for each of c6's channels is spread over that channel's REC_ROWS rows, divided by their count."""
    sd = old.state_dict()
    w = sd["mods.c7.weight"]
    sd["mods.c7.weight"] = (w / REC_ROWS).repeat_interleave(REC_ROWS, dim=1)
    new.load_state_dict(sd)
    return new


def recognizer_from_state(state_dict):
    """A fold_h recognizer with a checkpoint's weights, converted if the checkpoint is a mean_h one."""
    if state_dict["mods.c7.weight"].shape[1] == 96 * REC_ROWS:
        net = recognizer()
        net.load_state_dict(state_dict)
        return net
    old = recognizer("mean_h")
    old.load_state_dict(state_dict)
    return fold_from_mean(old, recognizer())


def detector():
    layers = [
        conv("c1", 1, 8, s=2),            # /2
        conv("c2", 8, 16, s=2),           # /4
        conv("c3", 16, 32, s=2),          # /8
        conv("c4", 32, 32),
        conv("c5", 32, 64, s=2),          # /16
        conv("c6", 64, 64),
        {"name": "up", "op": "upsample_nearest", "scale": 2},
        {"name": "cat", "op": "concat", "inputs": ["up", "c4"]},
        conv("c7", 96, 32, k=1),
        conv("c8", 32, 32),
        conv("heatmap", 32, 1, k=1, act="sigmoid", bn=False, inp="c8"),
        conv("regression", 32, 10, k=1, act="none", bn=False, inp="c8"),
    ]
    meta = {
        "input_width": DET_INPUT_WIDTH, "pad_multiple": DET_PAD, "pad_value": 0.0, "stride": DET_STRIDE,
        "heatmap": "1 channel, sigmoid: plate-centre probability per output cell; peaks = plates "
                   "(3x3 local maximum above threshold)",
        "regression": "10 channels per cell, in units of stride px of the detector input: "
                      "[0,1] = centre offset (dx,dy) from the cell's top-left corner; "
                      "[2..9] = corners TL,TR,BR,BL as (dx,dy) from the centre",
        # 0.45: on plates-us-dev every plate peaks at 0.51 or more, and the peaks from 0.3 to 0.45 (a
        # third of all) were none; each costs a recognizer run (MODEL.md, Detector: Decoding).
        "score_threshold": 0.45,
        "box": "axis-aligned box = min/max of the four corners",
    }
    return ChalkNet("detector", {"channels": 1, "height": 0, "width": 0, "mean": 0.5, "std": 0.5},
                    layers, ["heatmap", "regression"], meta)
