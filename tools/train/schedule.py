# SPDX-License-Identifier: AGPL-3.0-or-later
"""Warm-up then cosine learning rate, driven by steps or by a wall-clock budget; and the moving average
of the weights that the trainers keep beside it."""

import math
import time

import torch


class Schedule:
    def __init__(self, opt, lr, steps, minutes=0.0, warmup=0.04):
        self.opt, self.base, self.steps, self.budget, self.warmup = opt, lr, steps, minutes * 60, warmup
        self.t0 = time.time()
        self.n = 0
        self.lr = 0.0
        self._apply()

    def progress(self):
        if self.budget > 0:
            return min(1.0, (time.time() - self.t0) / self.budget)
        return min(1.0, self.n / self.steps)

    def _apply(self):
        p = self.progress()
        if p < self.warmup:
            self.lr = self.base * (0.1 + 0.9 * p / self.warmup)
        else:
            self.lr = self.base * (0.02 + 0.98 * 0.5 * (1 + math.cos(math.pi * (p - self.warmup) / (1 - self.warmup))))
        for g in self.opt.param_groups:
            g["lr"] = self.lr

    def step(self):
        self.n += 1
        self._apply()

    def done(self):
        return self.progress() >= 1.0 or self.n >= self.steps


def ema(net, decay):
    """An exponential moving average of net's weights and batch-norm statistics (update it after each
    optimizer step with .update_parameters(net); its .module is the averaged net), or None if decay is 0."""
    if decay <= 0:
        return None
    return torch.optim.swa_utils.AveragedModel(
        net, multi_avg_fn=torch.optim.swa_utils.get_ema_multi_avg_fn(decay), use_buffers=True)
