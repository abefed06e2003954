"""The driver of a detached Slurm run: a job that runs `xitt run FILE --executor slurm` on a node.

It is a submitit ``Checkpointable``: when Slurm warns it of its time limit or of preemption,
submitit requeues it, and the requeued driver adopts the step jobs in flight from the ledger
(nothing it had submitted is submitted again). Imported only when a run is detached.
"""

from __future__ import annotations

import os
from typing import Sequence

import submitit


class DriverJob(submitit.helpers.Checkpointable):
    """Run the command line in ``cwd`` with ``argv``; a non-zero exit fails the job."""

    def __call__(self, argv: Sequence[str], cwd: str) -> int:
        from xitt.cli import main

        os.chdir(cwd)
        code = main(list(argv))
        if code:
            raise RuntimeError(f"xitt {' '.join(argv)} exited with {code}; its message is in this job's log")
        return code
