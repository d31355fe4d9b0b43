"""Maven version ordering (the `ComparableVersion` rules of Maven 3).

A version is a tree: `.` separates items, `-` and digit/letter transitions open a sub-list.
Qualifiers order alpha < beta < milestone < rc < snapshot < release < sp < anything else;
trailing "null" items (0, empty qualifier) are dropped so `1.0` equals `1`.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Union

_QUALIFIERS = ["alpha", "beta", "milestone", "rc", "snapshot", "", "sp"]
_ALIASES = {"ga": "", "final": "", "release": "", "cr": "rc"}
_RELEASE_INDEX = str(_QUALIFIERS.index(""))

Item = Union[int, str, "ListItem"]


class ListItem(list[Item]):
    """A sub-list opened by `-` or a digit/letter transition."""


def _qualifier_key(q: str) -> str:
    try:
        return str(_QUALIFIERS.index(q))
    except ValueError:
        return f"{len(_QUALIFIERS)}-{q}"


def _string_item(text: str, followed_by_digit: bool) -> str:
    if followed_by_digit and len(text) == 1:
        text = {"a": "alpha", "b": "beta", "m": "milestone"}.get(text, text)
    return _ALIASES.get(text, text)


def _is_null(item: Item) -> bool:
    if isinstance(item, ListItem):
        return len(item) == 0
    if isinstance(item, int):
        return item == 0
    return item == ""


def _normalize(items: ListItem, root: bool) -> None:
    i = len(items) - 1
    while i >= 0:
        last = items[i]
        if _is_null(last):
            del items[i]
        elif not isinstance(last, ListItem):
            break
        i -= 1
    # "1-ga-1" is "1-1": a sub-list whose leading qualifier was null collapses into its child
    if not root and len(items) == 1 and isinstance(items[0], ListItem):
        items[:] = items[0]


def _make_item(is_digit: bool, text: str, followed_by_digit: bool = False) -> Item:
    if is_digit:
        return int(text)
    return _string_item(text, followed_by_digit)


@lru_cache(maxsize=65536)
def parse(version: str) -> ListItem:
    text = version.strip().lower()
    root = ListItem()
    current = root
    stack = [root]
    is_digit = False
    start = 0
    i = 0
    n = len(text)
    while i < n:
        c = text[i]
        if c == ".":
            current.append(0 if i == start else _make_item(is_digit, text[start:i]))
            start = i + 1
        elif c == "-":
            current.append(0 if i == start else _make_item(is_digit, text[start:i]))
            start = i + 1
            sub = ListItem()
            current.append(sub)
            current = sub
            stack.append(sub)
        elif c.isdigit():
            if not is_digit and i > start:
                current.append(_string_item(text[start:i], True))
                start = i
                sub = ListItem()
                current.append(sub)
                current = sub
                stack.append(sub)
            is_digit = True
        else:
            if is_digit and i > start:
                current.append(int(text[start:i]))
                start = i
                sub = ListItem()
                current.append(sub)
                current = sub
                stack.append(sub)
            is_digit = False
        i += 1
    if n > start:
        current.append(_make_item(is_digit, text[start:]))
    while stack:
        _normalize(stack.pop(), root=not stack)
    return root


def _cmp(a: Item | None, b: Item | None) -> int:
    if a is None:
        return -_cmp(b, None) if b is not None else 0
    if isinstance(a, int):
        if b is None:
            return 0 if a == 0 else 1
        if isinstance(b, int):
            return (a > b) - (a < b)
        return 1
    if isinstance(a, str):
        if b is None:
            ka, kb = _qualifier_key(a), _RELEASE_INDEX
            return (ka > kb) - (ka < kb)
        if isinstance(b, int):
            return -1
        if isinstance(b, str):
            ka, kb = _qualifier_key(a), _qualifier_key(b)
            return (ka > kb) - (ka < kb)
        return -1
    # a is a list
    if b is None:
        return _cmp(a[0], None) if a else 0
    if isinstance(b, int):
        return -1
    if isinstance(b, str):
        return 1
    for k in range(max(len(a), len(b))):
        x = a[k] if k < len(a) else None
        y = b[k] if k < len(b) else None
        c = _cmp(x, y)
        if c:
            return c
    return 0


def compare(a: str, b: str) -> int:
    return _cmp(parse(a), parse(b))


def normalize_name(name: str) -> str:
    return name.strip().lower()
