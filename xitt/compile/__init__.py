"""The compiler: a checked program becomes a graph of steps (pure data)."""

from xitt.compile.compiler import Compiled, compile_program

__all__ = ["Compiled", "compile_program"]
