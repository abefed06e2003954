"""The study's structures, typed, shared by the language, the compiler and the ops.

- ``Task``, ``Mixture`` (``Unit``): an intermediate unit, one task or several trained at once;
- ``Target``: a target task, its English training languages and zero-shot evaluation languages;
- ``Compared``: one row (a unit) or column (a target) of a similarity matrix, with its label;
- ``LocalFiles``: the files a ``data TASK = local(...)`` statement names (an example source);
- ``steps``: the params each op of a study reads (``IntermediateStep``, ``TargetStep``,
  ``LoadStep``, ``SimilarityStep``, ``GainsStep``, ``CorrelateStep``), each with ``from_json``/``to_json``: the compiler writes them, the op reads them.

Light: imports neither torch nor numpy. Each value's JSON form is the step params the
compiler has always written, so step keys do not change with the types.
"""

from xitt.study.steps import CorrelateStep, GainRow, GainsStep, IntermediateStep, LoadStep, SimilarityStep, TargetStep
from xitt.study.units import Compared, LocalFiles, Mixture, Target, Task, Unit, unit_from_json

__all__ = ["Compared", "CorrelateStep", "GainRow", "GainsStep", "IntermediateStep", "LoadStep", "LocalFiles", "Mixture", "SimilarityStep", "Target", "TargetStep", "Task", "Unit",
           "unit_from_json"]
