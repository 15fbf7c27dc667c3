"""Dependencies shared by routes, typed with ``Annotated`` so routes stay thin."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from claims_ai.config import Settings
from claims_ai.errors import NotReadyError
from claims_ai.pipeline import Pipeline

__all__ = ["PipelineDep", "SettingsDep"]


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _pipeline(request: Request) -> Pipeline:
    pipeline: Pipeline | None = request.app.state.pipeline
    if pipeline is None:
        raise NotReadyError("The models are not loaded yet or failed to load; see /readyz.")
    return pipeline


SettingsDep = Annotated[Settings, Depends(_settings)]
PipelineDep = Annotated[Pipeline, Depends(_pipeline)]
