"""The world's parameters, as one frozen value: the same config gives the same world."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from xitt.signature import with_defaults
from xitt.world.catalog import WORLD_PARAMS, language_codes


@dataclass(frozen=True)
class WorldConfig:
    """Mirrors ``catalog.WORLD_PARAMS`` field for field, with the same defaults."""

    languages: int = WORLD_PARAMS["languages"].default
    seed: int = WORLD_PARAMS["seed"].default
    train_size: int = WORLD_PARAMS["train_size"].default
    eval_size: int = WORLD_PARAMS["eval_size"].default
    corpus_size: int = WORLD_PARAMS["corpus_size"].default
    code_switch: float = WORLD_PARAMS["code_switch"].default
    function_switch: bool = WORLD_PARAMS["function_switch"].default
    parallel: float = WORLD_PARAMS["parallel"].default
    anchors: bool = WORLD_PARAMS["anchors"].default
    structure: bool = WORLD_PARAMS["structure"].default

    def __post_init__(self) -> None:
        for name, param in WORLD_PARAMS.items():
            problem = param.problem(getattr(self, name))
            if problem:
                raise ValueError(f"world parameter {name} {problem}")

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> "WorldConfig":
        """From a step's params (missing ones take their defaults; unknown ones are an error)."""
        unknown = sorted(set(params) - {f.name for f in fields(cls)})
        if unknown:
            raise ValueError(f"unknown world parameter(s): {', '.join(unknown)}")
        return cls(**with_defaults(WORLD_PARAMS, params))

    def to_json(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @property
    def codes(self) -> list[str]:
        return language_codes(self.languages)
