"""Scores on the real test set.

Headline metrics are those of attack (1) vs benign (0): precision, recall, F1,
MCC and false-positive rate at two thresholds — 0.5, and the threshold that
maximises F1 on the validation part carved from the training data (never the
test set) — plus the threshold-free ROC-AUC and PR-AUC (average precision).
Recall per attack category is the share of that category's test rows flagged as
attack.  A value that is undefined on this test set (a category with no test
rows; AUC with one class present) is ``None`` with a note, never a 0.
"""

from __future__ import annotations

import numpy as np
from sklearn.metrics import (
    average_precision_score,
    f1_score,
    matthews_corrcoef,
    precision_recall_fscore_support,
    roc_auc_score,
)

HEADLINE = ("recall", "f1", "roc_auc", "pr_auc")


def choose_threshold(y_val: np.ndarray, score_val: np.ndarray) -> float:
    """The threshold maximising F1 of the attack class on validation rows.

    Candidates are midpoints between consecutive distinct scores; ties go to the
    candidate closest to 0.5.  Without both classes in validation: 0.5.
    """
    y_val = np.asarray(y_val).astype(int)
    s = np.asarray(score_val, dtype=float)
    if len(np.unique(y_val)) < 2:
        return 0.5
    order = np.argsort(-s, kind="mergesort")
    s_sorted, y_sorted = s[order], y_val[order]
    tp = np.cumsum(y_sorted)
    fp = np.cumsum(1 - y_sorted)
    # only cut where the score changes
    last = np.r_[np.flatnonzero(np.diff(s_sorted) != 0), len(s_sorted) - 1]
    tp, fp = tp[last], fp[last]
    p = y_sorted.sum()
    f1 = 2 * tp / (tp + fp + p)
    nxt = np.r_[s_sorted[last[:-1] + 1], s_sorted[-1] - 1.0]
    cand = (s_sorted[last] + nxt) / 2
    best = np.flatnonzero(f1 >= f1.max() - 1e-12)
    t = float(cand[best[np.argmin(np.abs(cand[best] - 0.5))]])
    return float(np.clip(t, 0.0, 1.0))


def _at_threshold(y, score, cats, attack_categories, t, suffix, notes) -> dict:
    pred = (score >= t).astype(int)
    p, r, f, _ = precision_recall_fscore_support(y, pred, labels=[1], zero_division=0)
    neg = y == 0
    out = {
        f"precision{suffix}": float(p[0]),
        f"recall{suffix}": float(r[0]),
        f"f1{suffix}": float(f[0]),
        f"mcc{suffix}": float(matthews_corrcoef(y, pred)) if len(np.unique(y)) > 1 else None,
        f"fpr{suffix}": float(pred[neg].mean()) if neg.any() else None,
    }
    for c in attack_categories:
        m = cats == c
        if m.any():
            out[f"recall{suffix}[{c}]"] = float(pred[m].mean())
        else:
            out[f"recall{suffix}[{c}]"] = None
            notes[f"recall[{c}]"] = "no test rows of this category: undefined"
    return out


def binary_metrics(y_test, score_test, cat_test, attack_categories, y_val=None, score_val=None) -> dict:
    y = np.asarray(y_test).astype(int)
    s = np.asarray(score_test, dtype=float)
    cats = np.asarray(cat_test)
    notes: dict[str, str] = {}
    out: dict = {}
    if len(np.unique(y)) > 1:
        out["roc_auc"] = float(roc_auc_score(y, s))
        out["pr_auc"] = float(average_precision_score(y, s))
    else:
        out["roc_auc"] = out["pr_auc"] = None
        notes["roc_auc"] = "one class in the test set: undefined"
    out.update(_at_threshold(y, s, cats, attack_categories, 0.5, "", notes))
    t = choose_threshold(y_val, score_val) if y_val is not None else 0.5
    out["threshold_tuned"] = t
    out.update(_at_threshold(y, s, cats, attack_categories, t, "_tuned", notes))
    if notes:
        out["notes"] = notes
    return out


def multiclass_metrics(cat_test, proba, classes, benign_categories) -> dict:
    """Macro-F1 and per-category precision, recall and F1 from class probabilities."""
    cats = np.asarray(cat_test)
    classes = list(classes)
    pred = np.asarray(classes, dtype=object)[np.argmax(proba, axis=1)]
    present = [c for c in classes if (cats == c).any()]
    notes = {}
    out = {"macro_f1": float(f1_score(cats, pred, labels=present, average="macro", zero_division=0))}
    p, r, f, _ = precision_recall_fscore_support(cats, pred, labels=classes, zero_division=0)
    for i, c in enumerate(classes):
        if c in present:
            out[f"precision[{c}]"] = float(p[i])
            out[f"recall[{c}]"] = float(r[i])
            out[f"f1[{c}]"] = float(f[i])
        else:
            out[f"precision[{c}]"] = out[f"recall[{c}]"] = out[f"f1[{c}]"] = None
            notes[c] = "no test rows of this category: undefined, left out of macro-F1"
    if notes:
        out["notes"] = notes
    return out


def attack_score(proba: np.ndarray, classes, benign_categories) -> np.ndarray:
    """P(attack) from multi-class probabilities: one minus the benign classes' mass."""
    benign = [i for i, c in enumerate(classes) if c in set(benign_categories)]
    return 1.0 - proba[:, benign].sum(axis=1)
