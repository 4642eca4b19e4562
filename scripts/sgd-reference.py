"""PyTorch's SGD, written from its documentation in NumPy (float32), for the
optimizer test (builder/tests/optimizer_reference.rs). No code is shared with
the Rust trainer.

torch.optim.SGD, per step t (dampening 0, maximize off):
    g = grad + weight_decay * theta
    if momentum != 0:
        b = g                        if t == 1
        b = momentum * b + g         otherwise
        g = g + momentum * b         if nesterov
        g = b                        otherwise
    theta = theta - lr * g

Reads JSON on stdin: {"theta": [...], "grads": [[...], ...], "lr", "momentum",
"nesterov", "weight_decay", "grad_scale"}; each gradient is first multiplied
by grad_scale (what global-norm clipping does). Prints the final theta.
"""
import json
import sys

import numpy as np

case = json.load(sys.stdin)
f = np.float32
theta = np.asarray(case["theta"], dtype=f)
lr, mu, wd = f(case["lr"]), f(case["momentum"]), f(case["weight_decay"])
buf = None
for grad in case["grads"]:
    g = np.asarray(grad, dtype=f) * f(case["grad_scale"]) + wd * theta
    if mu != 0:
        buf = g.copy() if buf is None else mu * buf + g
        g = g + mu * buf if case["nesterov"] else buf
    theta = theta - lr * g
print(json.dumps([float(x) for x in theta]))
