"""What a study left out, as the report says it: data that was missing (each target's score
averages the languages that loaded), units and targets that did not run, dev sets that
were not there, and targets scored in no zero-shot language. Read from the gains result
(``coverage``, ``no_zero_shot``); nothing is computed here."""

from __future__ import annotations

from typing import Mapping


def coverage_notes(gains: Mapping) -> list[str]:
    """One plain sentence per thing left out, in a stable order; [] for a complete study."""
    notes = []
    coverage = gains.get("coverage") or {}
    for target, note in sorted(coverage.get("targets", {}).items()):
        if note["status"] == "partial":
            notes.append(f"target {target}: scored on {', '.join(note['languages'])} only (its score averages these "
                         f"languages; missing: {', '.join(note['missing'])})")
        else:
            notes.append(f"target {target}: not run, {note['why']} ({', '.join(note['missing'])})")
    for unit, note in sorted(coverage.get("units", {}).items()):
        verb = "trained without" if note["status"] == "partial" else "not run, no training data:"
        notes.append(f"intermediate {unit}: {verb} {', '.join(note['missing'])}")
    for name, keys in sorted(coverage.get("selection", {}).items()):
        notes.append(f"{name}: no dev set ({', '.join(keys)}), the last weights are kept")
    for target in gains.get("no_zero_shot", []):
        languages = ", ".join(gains["train_languages"].get(target, []))
        notes.append(f"target {target}: no zero-shot language was scored (only {languages}, which it trains on), "
                     "so it has no gain")
    return notes
