"""Validate records against the JSON Schema shipped in the package."""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from typing import Any

import jsonschema

from pipeline.record import VOLATILE_FIELDS


@cache
def _validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(files("pipeline").joinpath("schema/article.schema.json").read_text())
    return jsonschema.Draft202012Validator(schema)


def validate(record: dict[str, Any], partial: bool = False) -> None:
    """Raise if `record` breaks the schema; `partial` allows the volatile fields to be absent."""
    if partial:
        record = {**{k: _PLACEHOLDER[k] for k in VOLATILE_FIELDS}, **record}
    _validator().validate(record)


_PLACEHOLDER = {
    "extracted_at": "2026-01-01T00:00:00+00:00",
    "extractor_version": "0",
    "input": None,
}
