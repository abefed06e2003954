"""Task formats and task sources. Pure domain code: no engine, compiler or language imports."""

from xitt.tasks.formats import Format, TaskInfo

__all__ = ["Format", "TaskInfo"]
