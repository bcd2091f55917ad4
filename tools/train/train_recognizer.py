# SPDX-License-Identifier: AGPL-3.0-or-later
"""Train the CTC recognizer on synthetic plates + the training split of plates-us-crops.

  python train_recognizer.py --out CKPT [--steps N] [--threads 1]
Validation: the held-out split of plates-us-crops (exact match, O/0 folded), read as it is and shrunk
to a street frame's plate size (data_rec.SMALL_WIDTHS); the checkpoint kept is the best mean of the two.
With --ema the weights evaluated and saved are an exponential moving average of the trained ones."""

import argparse
import json
import os
import time

import torch
import torch.nn.functional as F

import chalknet
import data_rec
import models
import render
import schedule


class Validation:
    """The held-out crops, read once from disk: as they are and shrunk to street-frame widths."""

    def __init__(self, val):
        self.texts = [data_rec.fold(t) for _, t in val]
        self.full = torch.stack([data_rec.val_tensor(p) for p, _ in val])
        self.small = torch.stack([data_rec.val_tensor(p, small=True) for p, _ in val])

    def accuracy(self, net, x):
        was_training = net.training
        net.eval()
        ok = 0
        with torch.no_grad():
            for i in range(0, len(x), 64):
                pred = data_rec.greedy(net(x[i:i + 64])["logits"])
                ok += sum(p == t for p, t in zip(pred, self.texts[i:i + 64]))
        net.train(was_training)
        return ok / max(1, len(self.texts))

    def __call__(self, net):
        """(selection score = the mean of the two, crops as they are, crops at street-frame size)."""
        full, small = self.accuracy(net, self.full), self.accuracy(net, self.small)
        return (full + small) / 2, full, small


def freeze(net, train_only):
    """Stops every layer not named in `train_only` (comma-separated) from training; returns the names of the
    frozen layers that have a batch norm, which the caller keeps in evaluation mode."""
    names = {n for n in train_only.split(",") if n}
    if not names:
        return []
    unknown = names - set(net.mods.keys())
    if unknown:
        raise SystemExit(f"--train-only names no layer of the network: {sorted(unknown)}")
    for n, m in net.mods.items():
        m.requires_grad_(n in names)
    for n, m in net.bns.items():
        m.requires_grad_(n in names)
    frozen = [n for n in net.bns.keys() if n not in names]
    print(f"training only {sorted(names)}; frozen batch norms: {frozen}", flush=True)
    return frozen


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--steps", type=int, help="steps to train (default 6000; with --minutes, no limit "
                    "but the clock)")
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--real-frac", type=float, default=0.4)
    ap.add_argument("--minutes", type=float, default=0,
                    help="wall-clock budget: the learning rate follows elapsed time, so a shared, busy CPU "
                         "shortens the run instead of cutting it off at a high learning rate")
    ap.add_argument("--resume", help="a checkpoint (.pt, .pt.last) or the stem of exported files (…/Resources/recognizer)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--confusable", type=float, default=0.0,
                    help="probability that a synthetic character is drawn from the commonest misreads' "
                         "characters (render.CONFUSABLE_*); 0 = off")
    ap.add_argument("--ema", type=float, default=0.0,
                    help="decay of an exponential moving average of the weights (and batch-norm statistics) "
                         "that is validated and saved instead of the raw weights; 0 = off")
    ap.add_argument("--curriculum-start", type=int, default=0,
                    help="samples of the clean-first curriculum taken as already seen (30000 or more: "
                         "start at its end, 10 %% clean, as a warm start left it); 0 = from the start")
    ap.add_argument("--train-only", default="",
                    help="comma-separated layer names (c7,logits) whose weights train; the others stay as "
                         "loaded, their batch norms in evaluation mode; empty = every layer")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    render.CONFUSABLE_RATE = a.confusable
    train, val = data_rec.real_split()
    print(f"real crops: {len(train)} train, {len(val)} validation", flush=True)
    validate = Validation(val)
    net = models.recognizer()
    ds = data_rec.RecStream(train, a.real_frac, a.seed, a.curriculum_start)
    if a.resume and os.path.isfile(a.resume):  # a checkpoint (X.pt or X.pt.last); else an exported stem
        net = models.recognizer_from_state(torch.load(a.resume, weights_only=False)["model"])
        score, full, small = validate(net)
        print(f"resumed from {a.resume}: crops validation {full:.4f}, small {small:.4f}, score {score:.4f}",
              flush=True)
    elif a.resume:
        it = iter(data_rec.RecStream(train, a.real_frac, a.seed + 99))
        x0 = data_rec.collate([next(it) for _ in range(256)])[0]
        with open(a.resume + ".json") as f:
            collapse = next(l["op"] for l in json.load(f)["layers"] if l["name"] == "collapse")
        start = models.recognizer(collapse)
        err = chalknet.warm_start_from_exported(start, a.resume, x0)
        net = start if collapse == "fold_h" else models.fold_from_mean(start, net)
        score, full, small = validate(net)
        print(f"warm start from {a.resume}: max abs diff {err:.2e}, crops validation {full:.4f}, "
              f"small {small:.4f}, score {score:.4f}", flush=True)
    frozen = freeze(net, a.train_only)
    ema = schedule.ema(net, a.ema)
    dl = torch.utils.data.DataLoader(ds, batch_size=a.batch, collate_fn=data_rec.collate, num_workers=a.workers,
                                     persistent_workers=a.workers > 0, prefetch_factor=4 if a.workers else None)
    opt = torch.optim.AdamW([p for p in net.parameters() if p.requires_grad], lr=a.lr, weight_decay=1e-4)
    steps = a.steps or (1 << 40 if a.minutes > 0 else 6000)
    sched = schedule.Schedule(opt, a.lr, steps, a.minutes)
    best = -1.0
    t0 = time.time()
    run_loss = 0.0
    net.train()
    for name in frozen:
        net.bns[name].eval()
    for step, (x, targets, lengths, _) in enumerate(dl, 1):
        logits = net(x)["logits"][:, :, 0, :]  # N×C×T
        logp = F.log_softmax(logits, 1).permute(2, 0, 1)  # T×N×C
        inp_len = torch.full((x.shape[0],), logp.shape[0], dtype=torch.long)
        loss = F.ctc_loss(logp, targets, inp_len, lengths, blank=0, zero_infinity=True)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(net.parameters(), 5.0)
        opt.step()
        sched.step()
        if ema is not None:
            ema.update_parameters(net)
        run_loss = 0.98 * run_loss + 0.02 * loss.item() if step > 1 else loss.item()
        if step % 100 == 0:
            print(f"step {step} loss {run_loss:.3f} lr {sched.lr:.2e} {time.time() - t0:.0f}s", flush=True)
        if step % 250 == 0 or sched.done():
            kept = ema.module if ema is not None else net
            acc, full, small = validate(kept)
            for name in frozen:
                net.bns[name].eval()
            print(f"step {step} val_acc {acc:.4f} (crops {full:.4f}, small {small:.4f}; best {max(best, acc):.4f})",
                  flush=True)
            state = {"model": kept.state_dict(), "step": step, "val_acc": acc,
                     "meta": {"val_acc_real_crops": round(full, 4), "val_acc_small_crops": round(small, 4),
                              "val_images": len(val), "train_steps": step, "ema": a.ema}}
            torch.save(state, a.out + ".last")
            if acc >= best:
                best = acc
                torch.save(state, a.out)
        if sched.done():
            break
    print(f"done: best val_acc {best:.4f}", flush=True)


if __name__ == "__main__":
    main()
