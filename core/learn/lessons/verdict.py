"""Measured numbers -> one plain sentence: does this run agree with the paper?

Every verdict is one of :data:`OUTCOMES`. A difference smaller than the
margin a small run can resolve is "too close to call", never a win: a quick
run that cannot show an effect says so and points to the full version.
"""
from __future__ import annotations

from dataclasses import dataclass

AGREES, DISAGREES, TOO_CLOSE = "agrees", "does not agree", "too close to call"
OUTCOMES = (AGREES, DISAGREES, TOO_CLOSE)
ERROR_MARGIN = 0.01  # training errors closer than one point cannot be told apart here
ACCURACY_MARGIN = 0.03  # three points of validation accuracy


@dataclass
class Verdict:
    outcome: str
    sentence: str

    @property
    def agrees(self) -> bool:
        return self.outcome == AGREES


def _pct(value: float) -> str:
    return f"{value * 100:.1f}%"


def _gap(worse: float, better: float) -> str:
    """How much higher ``worse`` is: a ratio when ``better`` is big enough to divide by."""
    if better >= 0.01:
        return f"{worse / better:.1f}x the error"
    return f"{(worse - better) * 100:.1f} points more error"


def _speed(ratio: float) -> str:
    return f"{ratio:.1f}x faster" if ratio >= 1 else f"{1 / ratio:.1f}x slower (few channels " \
        "keep a CPU's vector units idle: fewer multiply-adds are not always less time)"


def residual(final_train: dict[str, float], shallow: int, deep: int,
             chance: float = 0.1) -> Verdict:
    """He et al.: the deeper plain net trains worse; shortcuts remove that.

    ``final_train`` maps ``plain-8``, ``plain-32``, ``resnet-8``, ``resnet-32``
    (for ``shallow`` 8, ``deep`` 32) to the last epoch's training error;
    ``chance`` is one over the classes. While the shallow plain net is still
    above half of chance's error, a gap is a slower start, not yet degradation.
    """
    ps, pd = final_train[f"plain-{shallow}"], final_train[f"plain-{deep}"]
    rd = final_train[f"resnet-{deep}"]
    degraded = pd - ps
    fixed = pd - rd
    numbers = (f"plain-{deep} ended with {_pct(pd)} training error against {_pct(ps)} for "
               f"plain-{shallow}; resnet-{deep} ended with {_pct(rd)}.")
    if ps > (1 - chance) / 2:
        return Verdict(TOO_CLOSE, f"Too close to call: {numbers} Too few epochs: the nets are "
                                  "still far from trained, so a gap is a slower start, not yet "
                                  "degradation; train longer.")
    if degraded > ERROR_MARGIN and fixed > ERROR_MARGIN:
        return Verdict(AGREES, f"Agrees with the paper: {numbers} The deeper plain net trains "
                               f"worse ({_gap(pd, ps)}) and shortcuts remove the gap.")
    if degraded < -ERROR_MARGIN:
        return Verdict(DISAGREES, f"Does not agree: {numbers} Here the deeper plain net "
                                  "trained better; try more epochs or the full version.")
    return Verdict(TOO_CLOSE, f"Too close to call: {numbers} The run was too small to show "
                              "degradation clearly; run the full version.")


def cheaper(cheap: dict, full: dict, cheap_name: str, full_name: str, claim: str,
            chance: float) -> Verdict:
    """Bottleneck / separable: far fewer MACs at about the same accuracy.

    ``cheap`` and ``full`` hold ``macs`` (of the compared layers), ``params``,
    ``latency_ms`` and ``val_accuracy``; ``chance`` is one over the classes.
    """
    mac_ratio = full["macs"] / max(cheap["macs"], 1)
    param_ratio = full["params"] / max(cheap["params"], 1)
    speed = full["latency_ms"] / max(cheap["latency_ms"], 1e-6)
    drop = full["val_accuracy"] - cheap["val_accuracy"]
    numbers = (f"the {cheap_name} layers need {mac_ratio:.1f}x fewer multiply-adds and "
               f"{param_ratio:.1f}x fewer parameters; measured here they run "
               f"{_speed(speed)}; validation accuracy "
               f"{_pct(cheap['val_accuracy'])} against {_pct(full['val_accuracy'])} for "
               f"{full_name}.")
    if mac_ratio < 2:
        return Verdict(DISAGREES, f"Does not agree: {numbers}")
    if max(full["val_accuracy"], cheap["val_accuracy"]) < 2 * chance:
        return Verdict(TOO_CLOSE, f"Too close to call: {numbers} Neither net learned much in "
                                  "so short a run, so accuracy says nothing yet: train longer.")
    if drop <= ACCURACY_MARGIN:
        return Verdict(AGREES, f"Agrees with the paper ({claim}): {numbers}")
    return Verdict(TOO_CLOSE, f"Partly: {numbers} The accuracy cost is larger than the "
                              "paper's; a short run can favour the bigger layers: run the "
                              "full version.")


def pretrained(scratch: dict[int, float], frozen: dict[int, float]) -> Verdict:
    """Few labelled images: a frozen pretrained backbone beats training from scratch.

    Both map images per class to validation accuracy.
    """
    sizes = sorted(set(scratch) & set(frozen))
    gaps = ", ".join(f"{n} per class: {_pct(frozen[n])} against {_pct(scratch[n])}"
                     for n in sizes)
    smallest = sizes[0]
    gap = frozen[smallest] - scratch[smallest]
    if gap > ACCURACY_MARGIN:
        return Verdict(AGREES, f"Agrees: pretrained features + a new head beat training from "
                               f"scratch with few labels ({gaps}).")
    if gap < -ACCURACY_MARGIN:
        return Verdict(DISAGREES, f"Does not agree here: training from scratch did better "
                                  f"({gaps}). ImageNet features describe colour photos; images "
                                  "far from them (tiny grey digits, say) gain little from "
                                  "them. Try it on your own photos.")
    return Verdict(TOO_CLOSE, f"Too close to call ({gaps}).")


def across_seeds(found: dict[int, Verdict]) -> Verdict:
    """One verdict over several seeds' (seed -> Verdict): agrees only when every
    seed agrees, does not agree only when every seed disagrees; a mix is too close
    to call."""
    tally = "; ".join(f"{outcome} on seed{'s' if len(seeds) > 1 else ''} "
                      f"{', '.join(map(str, seeds))}"
                      for outcome in OUTCOMES
                      if (seeds := [s for s, v in found.items() if v.outcome == outcome]))
    outcomes = {v.outcome for v in found.values()}
    if len(outcomes) > 1:
        outcome = TOO_CLOSE
        head = (f"Too close to call: mixed across {len(found)} seeds ({tally}), so one run "
                "can mislead here")
    else:
        outcome = outcomes.pop()
        head = {AGREES: f"Agrees on all {len(found)} seeds",
                DISAGREES: f"Does not agree on any of {len(found)} seeds",
                TOO_CLOSE: f"Too close to call on all {len(found)} seeds"}[outcome]
    first = min(found)
    return Verdict(outcome, f"{head}. Seed {first}: {found[first].sentence}")
