"""YAML loading that remembers where every node was written, so a problem can name its line.

`load_yaml` returns plain data (dicts, lists, scalars, as `yaml.safe_load` would) together with a
`Lines` map from a path such as `("touchpoints", 0, "items", 2, "weight")` to its 1-based line: the
line of the key for a mapping entry, the line of the element for a sequence entry.
"""

from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

Path = tuple[str | int, ...]
# Aliases let a small file expand into a huge document ("billion laughs"): uploads are hostile.
MAX_NODES = 200_000


class YamlSyntaxError(Exception):
    """The text is not YAML; `line` is where the parser gave up."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass
class Lines:
    """Where each path of a loaded document was written, and mapping keys given twice."""

    at: dict[Path, int] = field(default_factory=dict)
    # (path of the repeated key, line of its first occurrence)
    repeated: list[tuple[Path, int, int]] = field(default_factory=list)

    def line_of(self, path: Path) -> int:
        """The line of `path`, else of its nearest written ancestor (a missing field: its mapping)."""
        for end in range(len(path), -1, -1):
            if path[:end] in self.at:
                return self.at[path[:end]]
        return 1


def load_yaml(text: str) -> tuple[Any, Lines]:
    """Parse one YAML document. Raises YamlSyntaxError with the line of the error."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        context = error.context or ""
        if context and error.context_mark and error.context_mark.line != getattr(mark, "line", None):
            context += f" on line {error.context_mark.line + 1}"
        message = ": ".join(part for part in (context, error.problem) if part)
        return _raise(message or "not valid YAML", (mark.line + 1) if mark else 1)
    except yaml.YAMLError as error:  # e.g. a control character in the stream
        return _raise(str(error).splitlines()[0], 1)
    except RecursionError:
        return _raise("the document is nested too deeply", 1)
    lines = Lines()
    if root is None:
        return None, lines
    lines.at[()] = root.start_mark.line + 1
    try:
        return _Builder(lines).build(root, ()), lines
    except (_TooLarge, RecursionError):
        return _raise("the document is too large once its aliases (*name) are expanded", 1)


class _TooLarge(Exception):
    pass


def _raise(message: str, line: int) -> tuple[Any, Lines]:
    raise YamlSyntaxError(message, line)


class _Builder:
    def __init__(self, lines: Lines) -> None:
        self.lines = lines
        self.constructor = SafeConstructor()
        self.nodes = 0

    def build(self, node: Node, path: Path) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise _TooLarge()
        if isinstance(node, MappingNode):
            data: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                key = self.build(key_node, path + ("<key>",))
                if not isinstance(key, str | int | float | bool) and key is not None:
                    key = str(key)
                entry = path + (key,)
                line = key_node.start_mark.line + 1
                if key in data:
                    self.lines.repeated.append((entry, self.lines.at[entry], line))
                    continue
                self.lines.at[entry] = line
                data[key] = self.build(value_node, entry)
            return data
        if isinstance(node, SequenceNode):
            items = []
            for index, element in enumerate(node.value):
                self.lines.at[path + (index,)] = element.start_mark.line + 1
                items.append(self.build(element, path + (index,)))
            return items
        assert isinstance(node, ScalarNode)
        try:
            return self.constructor.construct_object(node, deep=True)
        except yaml.constructor.ConstructorError:  # an unknown !tag: keep the written text
            return node.value
