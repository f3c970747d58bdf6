"""Held-out perplexity, defined once so the training script, evaluate.py and Pagoda compute the
same thing: the held-out ids cut into consecutive windows of EVAL_WINDOW tokens (the tail that
does not fill a window is dropped); within each window every token after the first is predicted
from the ones before it; perplexity = exp(mean negative log-likelihood over those predictions).
Pagoda's side is dev.pagoda.engine.eval.PerplexityMain (same windows, same formula).
"""
import numpy as np
import torch
import torch.nn.functional as F

EVAL_WINDOW = 512
DURING_TRAINING_WINDOWS = 64   # the loss curve's held-out column
PAGODA_WINDOWS = 64            # what Pagoda recomputes on the CPU (32,768 tokens)


def windows(path, size):
    ids = np.fromfile(path, dtype=np.uint16).astype(np.int64)
    n = len(ids) // size
    return torch.from_numpy(ids[:n * size].reshape(n, size))


@torch.no_grad()
def nll_per_window(model, windows_, autocast=None, batch=16):
    """Summed negative log-likelihood (float64) of each window's predictions."""
    out = []
    for i in range(0, len(windows_), batch):
        x = windows_[i:i + batch].to(model.device)
        if autocast is not None:
            with autocast:
                logits = model(input_ids=x).logits
        else:
            logits = model(input_ids=x).logits
        lp = F.log_softmax(logits.double(), dim=-1)
        nll = -lp[:, :-1].gather(-1, x[:, 1:, None]).squeeze(-1)
        out.append(nll.sum(dim=1).cpu())
    return torch.cat(out)


def mean_nll(model, windows_, autocast=None):
    return float(nll_per_window(model, windows_, autocast).sum() / (windows_.shape[0] * (windows_.shape[1] - 1)))
