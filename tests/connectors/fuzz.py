"""Hypothesis strategies for parser fuzzing: arbitrary JSON, and documented shapes mutated."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import strategies as st

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20)
)
json_values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=25,
)


def mutations(document: dict[str, Any]) -> st.SearchStrategy[bytes]:
    """A valid document with one value somewhere replaced by anything."""
    paths: list[tuple[Any, ...]] = []

    def walk(node: Any, path: tuple[Any, ...]) -> None:
        paths.append(path)
        if isinstance(node, dict):
            for key, value in node.items():
                walk(value, (*path, key))
        elif isinstance(node, list):
            for index, value in enumerate(node):
                walk(value, (*path, index))

    walk(document, ())

    def replace(path: tuple[Any, ...], value: Any) -> bytes:
        copy = json.loads(json.dumps(document))
        if not path:
            return json.dumps(value).encode()
        node = copy
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
        return json.dumps(copy).encode()

    return st.builds(replace, st.sampled_from(paths), json_values)


raw_bodies = st.one_of(st.binary(max_size=200), json_values.map(lambda v: json.dumps(v).encode()))
