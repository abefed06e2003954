"""Task formats and task sources. Pure domain code: no engine, compiler or language imports.

Real benchmark tasks are registered by name (`registry.lookup`, `registry.names`) and
loaded from the hub or local files (`load.load`, `load.local`); see docs/tasks.md.
"""

from xitt.tasks.formats import Format, TaskInfo
from xitt.tasks.load import Hub, Loaded, load, local
from xitt.tasks.registry import hub_task, lookup, names
from xitt.tasks.spec import ColumnMap, RealTask, columns

__all__ = ["ColumnMap", "Format", "Hub", "Loaded", "RealTask", "TaskInfo", "columns", "hub_task", "load", "local",
           "lookup", "names"]
