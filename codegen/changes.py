"""What changed between two model fingerprints, and the Markdown report of it.

Each change is marked *breaking* when a server that already implements handlers has to
look at it: an operation, shape or member removed, a member newly required (or added as
required), an enum value removed, a constraint tightened (a `min` raised or added, a `max`
lowered or added, a `pattern` added or changed: a changed regex cannot be proved looser),
or a type changed (a shape's type, an operation's input or output shape, a member, list
or map retargeted to a shape of a different definition). Everything else (additions,
loosened constraints, errors per operation, other traits) is listed as not breaking;
documentation changes are counted, not listed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from codegen.fingerprint import Fingerprint

#: Report sections, in the order they are printed.
CATEGORIES = (
    "service",
    "operations",
    "errors",
    "shapes",
    "members",
    "enum values",
    "constraints",
    "traits",
)
#: The constraints compared, and for each whether a larger value is tighter.
_BOUNDS = {"min": True, "max": False}
#: The file beside each generated package that keeps the reports, newest first.
FILENAME = "CHANGES.md"
_TITLE = "# Model changes: {service}\n"
_INTRO = (
    "Written by `botogen generate` whenever the model changes; newest first, one section\n"
    "per regeneration. **breaking** marks what a server with hand-written handlers must\n"
    "look at (`botogen check` names the handler methods concerned); documentation\n"
    "changes are counted, not listed.\n"
)


@dataclass(frozen=True, order=True)
class Change:
    """One change of the model."""

    category: str
    #: The operation, the shape, or `Shape.Member`.
    subject: str
    #: What happened: "added", "removed", "newly required", "value removed", ...
    kind: str
    #: The values concerned, e.g. "pattern '^a$' → '^b$'" or "CANCELED".
    detail: str = ""
    breaking: bool = False

    @property
    def shape(self) -> str | None:
        """The shape whose generated model this change touches, if it is one."""
        if self.category in ("service", "operations", "errors"):
            return None
        return self.subject.split(".", 1)[0]

    def line(self) -> str:
        mark = "**breaking** " if self.breaking else ""
        detail = f": {self.detail}" if self.detail else ""
        return f"- {mark}`{self.subject}` {self.kind}{detail}"


@dataclass(frozen=True)
class Report:
    """The changes from one fingerprint to the next."""

    service: str
    old_version: str
    new_version: str
    old_sha256: str
    new_sha256: str
    changes: tuple[Change, ...]
    #: Documentation texts that changed (operations, shapes, members, the service).
    docs_changed: int

    @property
    def breaking(self) -> tuple[Change, ...]:
        return tuple(change for change in self.changes if change.breaking)

    def __bool__(self) -> bool:
        return bool(self.changes or self.docs_changed)

    def summary(self) -> str:
        breaking = len(self.breaking)
        return (
            f"{len(self.changes)} changes, "
            + (f"**{breaking} breaking**" if breaking else "none breaking")
            + f"; documentation changed in {self.docs_changed} places"
        )

    def markdown(self) -> str:
        """The report's section of CHANGES.md."""
        lines = [
            f"## botocore {self.old_version} → {self.new_version}",
            "",
            f"Model `{self.old_sha256[:12]}` → `{self.new_sha256[:12]}`: "
            f"{self.summary()}.",
        ]
        for category in CATEGORIES:
            listed = [c for c in self.changes if c.category == category]
            if listed:
                lines += ["", f"### {category.capitalize()}", ""]
                lines += [change.line() for change in listed]
        return "\n".join(lines) + "\n"


def prepend(existing: str | None, report: Report) -> str:
    """CHANGES.md with `report` as its newest section."""
    head = _TITLE.format(service=report.service) + "\n" + _INTRO
    if existing is None:
        return f"{head}\n{report.markdown()}"
    at = existing.find("\n## ")
    if at < 0:
        return f"{existing.rstrip()}\n\n{report.markdown()}"
    return f"{existing[: at + 1]}{report.markdown()}\n{existing[at + 1 :]}"


def _show(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


class _Differ:
    def __init__(self, old: Fingerprint, new: Fingerprint) -> None:
        self.old = old
        self.new = new
        self.changes: list[Change] = []
        self.docs = 0

    def add(
        self,
        category: str,
        subject: str,
        kind: str,
        detail: str = "",
        breaking: bool = False,
    ) -> None:
        self.changes.append(Change(category, subject, kind, detail, breaking))

    def doc(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        if old.get("doc") != new.get("doc"):
            self.docs += 1

    def traits(
        self,
        subject: str,
        old: dict[str, Any],
        new: dict[str, Any],
        skip: frozenset[str],
        category: str = "traits",
    ) -> None:
        """Keys not compared otherwise: reported verbatim, never breaking."""
        for key in sorted((set(old) | set(new)) - skip):
            if old.get(key) != new.get(key):
                before = _show(old[key]) if key in old else "(none)"
                after = _show(new[key]) if key in new else "(none)"
                self.add(category, subject, f"{key} changed", f"{before} → {after}")

    def same_definition(self, old_target: str, new_target: str) -> bool:
        """Two shapes are defined alike (documentation aside): a mere renaming."""

        def bare(shapes: dict[str, Any], name: str) -> dict[str, Any]:
            body = dict(shapes.get(name, {}))
            body.pop("doc", None)
            if "members" in body:
                body["members"] = {
                    k: {a: b for a, b in v.items() if a != "doc"}
                    for k, v in body["members"].items()
                }
            return body

        return bare(self.old["shapes"], old_target) == bare(
            self.new["shapes"], new_target
        )

    # -- operations -------------------------------------------------------------------

    def operations(self) -> None:
        old, new = self.old["operations"], self.new["operations"]
        for name in sorted(set(old) - set(new)):
            self.add("operations", name, "removed", breaking=True)
        for name in sorted(set(new) - set(old)):
            self.add("operations", name, "added")
        for name in sorted(set(old) & set(new)):
            before, after = old[name], new[name]
            self.doc(before, after)
            for key in ("input", "output"):
                if before.get(key) != after.get(key):
                    detail = (
                        f"{before.get(key) or '(none)'} → {after.get(key) or '(none)'}"
                    )
                    self.add(
                        "operations", name, f"{key} changed", detail, breaking=True
                    )
            for error in sorted(set(before["errors"]) - set(after["errors"])):
                self.add("errors", name, "error removed", error)
            for error in sorted(set(after["errors"]) - set(before["errors"])):
                self.add("errors", name, "error added", error)
            self.traits(
                name, before, after, frozenset({"doc", "input", "output", "errors"})
            )

    # -- shapes -----------------------------------------------------------------------

    def shapes(self) -> None:
        old, new = self.old["shapes"], self.new["shapes"]
        for name in sorted(set(old) - set(new)):
            self.add("shapes", name, "removed", old[name]["type"], breaking=True)
        for name in sorted(set(new) - set(old)):
            self.add("shapes", name, "added", new[name]["type"])
        for name in sorted(set(old) & set(new)):
            self.shape(name, old[name], new[name])

    def shape(self, name: str, old: dict[str, Any], new: dict[str, Any]) -> None:
        self.doc(old, new)
        if old["type"] != new["type"]:
            self.add(
                "shapes", name, "type changed", f"{old['type']} → {new['type']}", True
            )
        for key in ("member", "key", "value"):
            before, after = old.get(key), new.get(key)
            if before and after and before != after:
                breaking = not self.same_definition(before, after)
                self.add(
                    "shapes",
                    name,
                    f"{key} type changed",
                    f"{before} → {after}",
                    breaking,
                )
        self.members(name, old.get("members", {}), new.get("members", {}))
        self.enum(name, old.get("enum"), new.get("enum"))
        self.constraints(name, old, new)
        skip = frozenset(
            {
                "doc",
                "type",
                "members",
                "member",
                "key",
                "value",
                "enum",
                "pattern",
                *_BOUNDS,
            }
        )
        self.traits(name, old, new, skip)

    def members(self, shape: str, old: dict[str, Any], new: dict[str, Any]) -> None:
        for member in sorted(set(old) - set(new)):
            self.add("members", f"{shape}.{member}", "removed", breaking=True)
        for member in sorted(set(new) - set(old)):
            if new[member].get("required"):
                self.add(
                    "members", f"{shape}.{member}", "added, required", breaking=True
                )
            else:
                self.add("members", f"{shape}.{member}", "added")
        for member in sorted(set(old) & set(new)):
            before, after = old[member], new[member]
            subject = f"{shape}.{member}"
            self.doc(before, after)
            if after.get("required") and not before.get("required"):
                self.add("members", subject, "newly required", breaking=True)
            elif before.get("required") and not after.get("required"):
                self.add("members", subject, "no longer required")
            if before["target"] != after["target"]:
                breaking = not self.same_definition(before["target"], after["target"])
                detail = f"{before['target']} → {after['target']}"
                self.add("members", subject, "type changed", detail, breaking)
            self.traits(
                subject, before, after, frozenset({"doc", "target", "required"})
            )

    def enum(self, shape: str, old: list[str] | None, new: list[str] | None) -> None:
        if old is None and new is None:
            return
        if old is None:
            self.add(
                "enum values", shape, "enum added", f"{len(new or ())} values", True
            )
            return
        if new is None:
            self.add("enum values", shape, "enum dropped (any value accepted)")
            return
        for value in sorted(set(old) - set(new)):
            self.add("enum values", shape, "value removed", value, breaking=True)
        for value in sorted(set(new) - set(old)):
            self.add("enum values", shape, "value added", value)

    def constraints(self, shape: str, old: dict[str, Any], new: dict[str, Any]) -> None:
        for key, larger_is_tighter in _BOUNDS.items():
            before, after = old.get(key), new.get(key)
            if before == after:
                continue
            detail = f"{key} {_show(before) if before is not None else '(none)'} → " + (
                _show(after) if after is not None else "(none)"
            )
            if before is None:
                tighter = True
            elif after is None:
                tighter = False
            else:
                tighter = (after > before) == larger_is_tighter
            kind = "tightened" if tighter else "loosened"
            self.add("constraints", shape, kind, detail, breaking=tighter)
        before, after = old.get("pattern"), new.get("pattern")
        if before != after:
            detail = f"pattern {_show(before) if before else '(none)'} → " + (
                _show(after) if after else "(none)"
            )
            if after is None:
                self.add("constraints", shape, "loosened", detail)
            elif before is None:
                self.add("constraints", shape, "tightened", detail, breaking=True)
            else:
                self.add("constraints", shape, "changed", detail, breaking=True)

    def run(self) -> Report:
        self.doc(self.old, self.new)
        metadata = (self.old["metadata"], self.new["metadata"])
        self.traits("(service)", *metadata, frozenset(), category="service")
        self.operations()
        self.shapes()
        order = {category: index for index, category in enumerate(CATEGORIES)}
        changes = sorted(self.changes, key=lambda c: (order[c.category], c))
        return Report(
            service=self.new["service"],
            old_version=self.old["botocore_version"],
            new_version=self.new["botocore_version"],
            old_sha256=self.old["model_sha256"],
            new_sha256=self.new["model_sha256"],
            changes=tuple(changes),
            docs_changed=self.docs,
        )


def compare(old: Fingerprint, new: Fingerprint) -> Report:
    """Every change from `old` to `new`, sorted by category and subject."""
    return _Differ(old, new).run()
