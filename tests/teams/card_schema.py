"""A small validator of Adaptive Card 1.5 for the elements qopt draws.

Transcribed from the published schema (adaptivecards.io/schemas/1.5.0/adaptive-card.json): for each element
type, its required properties, the optional ones we may set, and their JSON types or enum values. Unknown
element types and unknown properties are errors too (they catch typos that Teams would silently ignore).
"""

from __future__ import annotations

from typing import Any

STR, BOOL, NUM, OBJ, LIST = str, bool, (int, float), dict, list

COLORS = {"Default", "Dark", "Light", "Accent", "Good", "Warning", "Attention"}
CONTAINER_STYLES = {"default", "emphasis", "good", "attention", "warning", "accent"}
ALIGN = {"Left", "Center", "Right"}
COMMON = {"type": STR, "id": STR, "spacing": STR, "separator": BOOL, "isVisible": BOOL, "height": STR}

# type -> (required {name: type}, optional {name: type | set of allowed values})
ELEMENTS: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "AdaptiveCard": (
        {"type": STR, "version": STR},
        {"$schema": STR, "body": LIST, "actions": LIST, "fallbackText": STR, "msteams": OBJ, "speak": STR,
         "lang": STR},
    ),
    "TextBlock": (
        {"text": STR},
        {"wrap": BOOL, "size": {"Default", "Small", "Medium", "Large", "ExtraLarge"},
         "weight": {"Default", "Lighter", "Bolder"}, "color": COLORS, "isSubtle": BOOL,
         "fontType": {"Default", "Monospace"}, "style": {"default", "heading"}, "maxLines": int,
         "horizontalAlignment": ALIGN},
    ),
    "FactSet": ({"facts": LIST}, {}),
    "Container": ({"items": LIST}, {"style": CONTAINER_STYLES, "bleed": BOOL}),
    "ActionSet": ({"actions": LIST}, {}),
    "Image": ({"url": STR}, {"altText": STR, "size": {"Auto", "Stretch", "Small", "Medium", "Large"}}),
    "Table": (
        {},
        {"columns": LIST, "rows": LIST, "firstRowAsHeader": BOOL, "showGridLines": BOOL,
         "gridStyle": CONTAINER_STYLES, "horizontalCellContentAlignment": ALIGN,
         "verticalCellContentAlignment": {"Top", "Center", "Bottom"}},
    ),
    "TableRow": ({}, {"cells": LIST, "style": CONTAINER_STYLES}),
    "TableCell": ({"items": LIST}, {"style": CONTAINER_STYLES}),
    "Action.Submit": ({}, {"title": STR, "data": (str, dict), "style": {"default", "positive", "destructive"},
                           "iconUrl": STR, "associatedInputs": {"auto", "none"}}),
}
FACT = ({"title": STR, "value": STR}, {})
COLUMN = ({}, {"width": (int, float, str), "horizontalCellContentAlignment": ALIGN,
               "verticalCellContentAlignment": {"Top", "Center", "Bottom"}})
ACTIONS = {"Action.Submit"}


def validate_card(card: dict[str, Any]) -> list[str]:
    """Every problem found, as `path: message`; an empty list means the card is valid."""
    problems: list[str] = []
    if card.get("type") != "AdaptiveCard":
        problems.append("$: type must be AdaptiveCard")
    if card.get("version") != "1.5":
        problems.append("$: version must be 1.5")
    _check("$", card, ELEMENTS["AdaptiveCard"], problems)
    for i, element in enumerate(card.get("body", [])):
        _element(f"$.body[{i}]", element, problems, actions=False)
    for i, action in enumerate(card.get("actions", [])):
        _element(f"$.actions[{i}]", action, problems, actions=True)
    return problems


def validate_activity(activity: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    if activity.get("type") != "message":
        problems.append("activity: type must be message")
    if not isinstance(activity.get("summary"), str) or not activity["summary"]:
        problems.append("activity: a text fallback (summary) is required")
    attachments = activity.get("attachments")
    if not isinstance(attachments, list) or len(attachments) != 1:
        return problems + ["activity: exactly one attachment expected"]
    if attachments[0].get("contentType") != "application/vnd.microsoft.card.adaptive":
        problems.append("activity: attachment is not an Adaptive Card")
    card = attachments[0].get("content", {})
    if not card.get("fallbackText"):
        problems.append("card: fallbackText missing")
    return problems + validate_card(card)


def _element(path: str, node: Any, problems: list[str], *, actions: bool) -> None:
    if not isinstance(node, dict):
        problems.append(f"{path}: not an object")
        return
    kind = node.get("type")
    if kind not in ELEMENTS or kind == "AdaptiveCard" or (kind in ACTIONS) != actions:
        problems.append(f"{path}: unexpected {'action' if actions else 'element'} type {kind!r}")
        return
    _check(path, node, ELEMENTS[kind], problems)
    if kind == "FactSet":
        for i, fact in enumerate(node.get("facts", [])):
            _check(f"{path}.facts[{i}]", fact, FACT, problems, common=False)
    children = {"Container": "items", "TableCell": "items", "ActionSet": "actions"}
    if kind in children:
        key = children[kind]
        for i, child in enumerate(node.get(key, [])):
            _element(f"{path}.{key}[{i}]", child, problems, actions=key == "actions")
    if kind == "Table":
        width = len(node.get("columns", []))
        for i, column in enumerate(node.get("columns", [])):
            _check(f"{path}.columns[{i}]", column, COLUMN, problems, common=False)
        for i, row in enumerate(node.get("rows", [])):
            _element(f"{path}.rows[{i}]", row, problems, actions=False)
            if isinstance(row, dict) and row.get("type") == "TableRow" and len(row.get("cells", [])) != width:
                problems.append(f"{path}.rows[{i}]: {len(row.get('cells', []))} cells for {width} columns")
    if kind == "TableRow":
        for i, cell in enumerate(node.get("cells", [])):
            _element(f"{path}.cells[{i}]", cell, problems, actions=False)


def _check(path: str, node: Any, spec: tuple[dict[str, Any], dict[str, Any]], problems: list[str],
           *, common: bool = True) -> None:
    if not isinstance(node, dict):
        problems.append(f"{path}: not an object")
        return
    required, optional = spec
    allowed = {**(COMMON if common else {}), **optional, **required}
    for name in required:
        if name not in node:
            problems.append(f"{path}: required property {name!r} missing")
    for name, value in node.items():
        if name not in allowed:
            problems.append(f"{path}: unknown property {name!r}")
            continue
        rule = allowed[name]
        if isinstance(rule, set):
            if value not in rule:
                problems.append(f"{path}.{name}: {value!r} not one of {sorted(rule)}")
        elif rule is BOOL or rule is int:
            if not isinstance(value, rule) or (rule is int and isinstance(value, bool)):
                problems.append(f"{path}.{name}: expected {rule.__name__}")
        elif not isinstance(value, rule) or isinstance(value, bool) and rule is not BOOL:
            problems.append(f"{path}.{name}: expected {rule}")
