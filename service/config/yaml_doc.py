"""YAML text to data, keeping the node tree so that a field path can be given its line number."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import yaml

Loc = Sequence[int | str]


def parse(text: str) -> tuple[Any, yaml.Node | None]:
    """The document's data and its root node (``None`` for an empty document).

    Raises ``yaml.YAMLError`` on a syntax error (its ``problem_mark`` has the line).
    """
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()
    return data, node


def _child(node: yaml.Node, key: int | str) -> tuple[yaml.Node, yaml.Node] | None:
    """``(node whose line names the child, the child's value node)``, or ``None``."""
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == str(key):
                return key_node, value_node
        return None
    if isinstance(node, yaml.SequenceNode) and isinstance(key, int) and 0 <= key < len(node.value):
        item: yaml.Node = node.value[key]
        return item, item
    return None


def line_of(root: yaml.Node | None, loc: Loc) -> int | None:
    """1-based line of the deepest node along ``loc`` (a missing key: its parent's line)."""
    if root is None:
        return None
    node, label = root, root
    for key in loc:
        found = _child(node, key)
        if found is None:
            break
        label, node = found
    return int(label.start_mark.line) + 1


def duplicate_keys(root: yaml.Node | None) -> Iterator[tuple[tuple[int | str, ...], int]]:
    """``(field path, 1-based line)`` of every key repeated in its mapping (YAML keeps the last)."""
    stack: list[tuple[tuple[int | str, ...], yaml.Node]] = [] if root is None else [((), root)]
    while stack:
        path, node = stack.pop()
        if isinstance(node, yaml.SequenceNode):
            stack.extend(((*path, i), child) for i, child in enumerate(node.value))
        if not isinstance(node, yaml.MappingNode):
            continue
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else "?"
            if key in seen:
                yield (*path, key), int(key_node.start_mark.line) + 1
            seen.add(key)
            stack.append(((*path, key), value_node))
