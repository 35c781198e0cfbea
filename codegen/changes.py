"""What changed between two model fingerprints, what it means for the hand-written
handlers, and the Markdown report of it.

Every change gets a level, decided with what the handlers use (`codegen.usage`: read from
their code; empty for a service without handlers):

**breaking**: may make existing handler code wrong or stored data invalid, whoever uses
it: an operation removed, or its input or output retargeted; a shape removed or its type
changed; a member removed, newly required or added as required; a member, list or map
item retargeted to a shape defined differently (a mere renaming is not); an enum value
removed, or an enum put on a free string; a constraint tightened: a `min` raised or
added, a `max` lowered or added, a `pattern` added; and a `pattern` changed in a way not
provably looser (`codegen.widening`) **on a shape the handlers use**: reached by the
request or the response of an operation they implement, reached by a model they build or
an error they raise, or named in their code.

**review**: the handlers may have to follow: a value added to an enum their code names
(a handler that branches on it or emits it meets a value it does not know); an error
added to an operation they implement (or removed from one, when they raise it); an
optional member added to a shape reached by the request of an operation they implement
(a parameter they ignore) or to a shape they emit (an answer without it); a request
member of an implemented operation no longer required; an enum dropped from a shape
their code names; and a `pattern` changed, not provably looser, on a shape they do not
use.

**nothing to do** (no mark): every addition not listed above; a constraint loosened: a
`min` lowered or dropped, a `max` raised or dropped, a `pattern` dropped or provably
looser (its old alternatives all kept: `A` → `A|B`, `(A)|(B)` → `(A)|(B)|(C)`;
`codegen.widening` has the exact rule); other traits and service metadata.
Documentation changes are counted, not listed.

Each breaking or review change carries the places in the handlers' code it touches
(`Change.uses`): the lines that name the enum (the most alike values first), build or
read the member, raise the error, or define the handler method of the operation whose
request or response reaches the shape.
"""

from __future__ import annotations

import difflib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from codegen import widening
from codegen.fingerprint import Fingerprint
from codegen.usage import Reach, Usage, Use, reach

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
BREAKING = "breaking"
REVIEW = "review"
#: The constraints compared, and for each whether a larger value is tighter.
_BOUNDS = {"min": True, "max": False}
#: The file beside each generated package that keeps the reports, newest first.
FILENAME = "CHANGES.md"
#: Places listed under one change in the Markdown report.
USES_LISTED = 12
_TITLE = "# Model changes: {service}\n"
_INTRO = (
    "Written by `botogen generate` whenever the model changes; newest first, one section\n"
    "per regeneration. **breaking** marks what may make the hand-written handlers or\n"
    "their stored data wrong, **review** what they may have to follow, each with the\n"
    "lines of handler code it touches; `botogen check` fails until the handlers are\n"
    "accepted against the new model (`botogen check --accept`). Documentation changes\n"
    "are counted, not listed.\n"
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
    #: "breaking", "review" or "" (nothing to do): module docstring.
    level: str = ""
    #: Why it needs a look, e.g. "the handlers name ActionType".
    reason: str = field(default="", compare=False)
    #: Where the handlers' code touches it.
    uses: tuple[Use, ...] = field(default=(), compare=False)

    @property
    def breaking(self) -> bool:
        return self.level == BREAKING

    @property
    def review(self) -> bool:
        return self.level == REVIEW

    @property
    def shape(self) -> str | None:
        """The shape whose generated model this change touches, if it is one."""
        if self.category in ("service", "operations", "errors"):
            return None
        return self.subject.split(".", 1)[0]

    def text(self) -> str:
        """`Subject` kind: detail, without the mark."""
        detail = f": {self.detail}" if self.detail else ""
        return f"`{self.subject}` {self.kind}{detail}"

    def line(self) -> str:
        mark = f"**{self.level}** " if self.level else ""
        reason = f" ({self.reason})" if self.level and self.reason else ""
        return f"- {mark}{self.text()}{reason}"

    def lines(self) -> list[str]:
        """The report's lines: the change, then where the handlers touch it."""
        listed = [f"  - {use.where} `{use.what}`" for use in self.uses[:USES_LISTED]]
        if len(self.uses) > USES_LISTED:
            listed.append(f"  - and {len(self.uses) - USES_LISTED} more")
        return [self.line(), *listed]


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
    #: The handlers' files read for the classification (none: no handlers).
    handler_files: tuple[str, ...] = ()
    #: Operations the handlers implement.
    implemented: tuple[str, ...] = ()

    @property
    def breaking(self) -> tuple[Change, ...]:
        return tuple(change for change in self.changes if change.breaking)

    @property
    def review(self) -> tuple[Change, ...]:
        return tuple(change for change in self.changes if change.review)

    @property
    def pending(self) -> tuple[Change, ...]:
        """Breaking and review changes: what the handlers must be accepted against."""
        return tuple(change for change in self.changes if change.level)

    def __bool__(self) -> bool:
        return bool(self.changes or self.docs_changed)

    def counts(self) -> str:
        """`101 changes: none breaking, **28 to review**`."""
        breaking, review = len(self.breaking), len(self.review)
        return (
            f"{len(self.changes)} changes: "
            + (f"**{breaking} breaking**" if breaking else "none breaking")
            + ", "
            + (f"**{review} to review**" if review else "none to review")
        )

    def summary(self) -> str:
        return f"{self.counts()}; documentation changed in {self.docs_changed} places"

    def handlers_line(self) -> str:
        if not self.handler_files:
            return f"No hand-written handlers (`handlers/{_package(self.service)}/`)."
        folder = self.handler_files[0].rsplit("/", 1)[0]
        return (
            f"Handlers: `{folder}/` ({len(self.handler_files)} files, "
            f"{len(self.implemented)} operations implemented)."
        )

    def markdown(self) -> str:
        """The report's section of CHANGES.md."""
        lines = [
            f"## botocore {self.old_version} → {self.new_version}",
            "",
            f"Model `{self.old_sha256[:12]}` → `{self.new_sha256[:12]}`: "
            f"{self.summary()}. {self.handlers_line()}",
        ]
        for category in CATEGORIES:
            listed = [c for c in self.changes if c.category == category]
            if listed:
                lines += ["", f"### {category.capitalize()}", ""]
                for change in listed:
                    lines += change.lines()
        return "\n".join(lines) + "\n"


def _package(service: str) -> str:
    return service.replace("-", "_")


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


def _unique(*groups: Iterable[Use]) -> tuple[Use, ...]:
    seen: dict[tuple[str, int], Use] = {}
    for group in groups:
        for use in group:
            seen.setdefault((use.path, use.line), use)
    return tuple(seen.values())


def _likeness(known: str, value: str) -> tuple[float, ...]:
    """How alike two enum values are: words in common (`MASTER_EMAIL` and
    `MANAGEMENT_EMAIL` share EMAIL), then the length of the common start, then the
    proportion of characters in common."""
    shared = len(set(known.split("_")) & set(value.split("_")))
    start = len(os.path.commonprefix([known, value]))
    return shared, start, difflib.SequenceMatcher(None, known, value).ratio()


def _ops(names: Iterable[str]) -> str:
    listed = sorted(names)
    if len(listed) > 3:
        return ", ".join(listed[:3]) + f" and {len(listed) - 3} more"
    return ", ".join(listed)


class _Differ:
    def __init__(self, old: Fingerprint, new: Fingerprint, usage: Usage) -> None:
        self.old = old
        self.new = new
        self.usage = usage
        self.reach: Reach = reach(usage, [old, new])
        self.changes: list[Change] = []
        self.docs = 0

    def add(
        self,
        category: str,
        subject: str,
        kind: str,
        detail: str = "",
        level: str = "",
        reason: str = "",
        uses: Iterable[Use] = (),
    ) -> None:
        uses = tuple(uses) if level else ()
        self.changes.append(
            Change(
                category, subject, kind, detail, level, reason if level else "", uses
            )
        )

    def doc(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        if old.get("doc") != new.get("doc"):
            self.docs += 1

    # -- what the handlers use -----------------------------------------------------------

    def where_used(self, shape: str) -> str:
        """How the handlers depend on `shape`, in words ("" when they do not)."""
        reached = self.reach
        if shape in reached.requests:
            return f"request of {_ops(reached.requests[shape])}"
        if shape in reached.responses:
            return f"response of {_ops(reached.responses[shape])}"
        if shape in reached.emitted:
            return "emitted by the handlers"
        if shape in self.usage.shapes:
            return "named by the handlers"
        return ""

    def unused(self, reason: str) -> str:
        return reason or "no handler uses it"

    def op_uses(self, op: str) -> list[Use]:
        return self.usage.operations.get(op, [])

    def reaching(self, shape: str) -> list[Use]:
        """The handler methods whose request or response reaches `shape`."""
        ops = self.reach.requests.get(shape, set()) | self.reach.responses.get(
            shape, set()
        )
        return [use for op in sorted(ops) for use in self.op_uses(op)]

    def referring(self, shape: str) -> list[Use]:
        """Reads and writes of members whose target is `shape`."""
        found: list[Use] = []
        for (owner, member), uses in sorted(self.usage.members.items()):
            for print_ in (self.old, self.new):
                body = print_["shapes"].get(owner, {}).get("members", {}).get(member)
                if body and body["target"] == shape:
                    found += uses
                    break
        return found

    def shape_uses(self, shape: str) -> tuple[Use, ...]:
        return _unique(
            self.usage.shapes.get(shape, ()),
            self.referring(shape),
            self.reaching(shape),
        )

    def member_uses(self, shape: str, member: str) -> tuple[Use, ...]:
        built = [u for u in self.usage.shapes.get(shape, ()) if u.what.endswith(")")]
        return _unique(
            self.usage.members.get((shape, member), ()), built, self.reaching(shape)
        )

    def value_uses(self, shape: str, value: str) -> tuple[Use, ...]:
        """Lines naming the enum's values, the most alike to `value` first; then the
        other lines naming the enum or reading a member of its type."""
        named: list[tuple[tuple[float, ...], Use]] = []
        for (enum, known), uses in self.usage.values.items():
            if enum == shape:
                named += [(_likeness(known, value), use) for use in uses]
        named.sort(key=lambda pair: ([-x for x in pair[0]], pair[1]))
        return _unique(
            [use for _, use in named],
            self.usage.shapes.get(shape, ()),
            self.referring(shape),
        )

    # -- generic keys ----------------------------------------------------------------------

    def traits(
        self,
        subject: str,
        old: dict[str, Any],
        new: dict[str, Any],
        skip: frozenset[str],
        category: str = "traits",
    ) -> None:
        """Keys not compared otherwise: reported verbatim, nothing to do."""
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
            uses = self.op_uses(name)
            reason = "implemented" if uses else "not implemented"
            self.add("operations", name, "removed", "", BREAKING, reason, uses)
        for name in sorted(set(new) - set(old)):
            self.add("operations", name, "added")
        for name in sorted(set(old) & set(new)):
            before, after = old[name], new[name]
            self.doc(before, after)
            implemented = self.op_uses(name)
            for key in ("input", "output"):
                if before.get(key) != after.get(key):
                    detail = (
                        f"{before.get(key) or '(none)'} → {after.get(key) or '(none)'}"
                    )
                    shapes = [s for s in (before.get(key), after.get(key)) if s]
                    reason = "implemented" if implemented else "not implemented"
                    self.add(
                        "operations",
                        name,
                        f"{key} changed",
                        detail,
                        BREAKING,
                        reason,
                        _unique(
                            implemented,
                            *(self.usage.shapes.get(s, ()) for s in shapes),
                        ),
                    )
            self.errors(name, before["errors"], after["errors"], implemented)
            self.traits(
                name, before, after, frozenset({"doc", "input", "output", "errors"})
            )

    def errors(
        self, op: str, before: list[str], after: list[str], implemented: list[Use]
    ) -> None:
        for error in sorted(set(before) - set(after)):
            raised = error in self.usage.constructed and bool(implemented)
            self.add(
                "errors",
                op,
                "error removed",
                error,
                REVIEW if raised else "",
                f"the handlers raise {error}",
                _unique(self.usage.shapes.get(error, ()), implemented),
            )
        for error in sorted(set(after) - set(before)):
            self.add(
                "errors",
                op,
                "error added",
                error,
                REVIEW if implemented else "",
                f"{op} is implemented",
                implemented,
            )

    # -- shapes -----------------------------------------------------------------------

    def shapes(self) -> None:
        old, new = self.old["shapes"], self.new["shapes"]
        for name in sorted(set(old) - set(new)):
            self.add(
                "shapes",
                name,
                "removed",
                old[name]["type"],
                BREAKING,
                self.unused(self.where_used(name)),
                self.shape_uses(name),
            )
        for name in sorted(set(new) - set(old)):
            self.add("shapes", name, "added", new[name]["type"])
        for name in sorted(set(old) & set(new)):
            self.shape(name, old[name], new[name])

    def shape(self, name: str, old: dict[str, Any], new: dict[str, Any]) -> None:
        self.doc(old, new)
        used = self.unused(self.where_used(name))
        if old["type"] != new["type"]:
            detail = f"{old['type']} → {new['type']}"
            uses = self.shape_uses(name)
            self.add("shapes", name, "type changed", detail, BREAKING, used, uses)
        for key in ("member", "key", "value"):
            before, after = old.get(key), new.get(key)
            if before and after and before != after:
                level = "" if self.same_definition(before, after) else BREAKING
                self.add(
                    "shapes",
                    name,
                    f"{key} type changed",
                    f"{before} → {after}",
                    level,
                    used,
                    self.shape_uses(name),
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
        used = self.unused(self.where_used(shape))
        for member in sorted(set(old) - set(new)):
            subject = f"{shape}.{member}"
            uses = self.member_uses(shape, member)
            self.add("members", subject, "removed", "", BREAKING, used, uses)
        requests = self.reach.requests.get(shape)
        emitted = shape in self.reach.emitted
        for member in sorted(set(new) - set(old)):
            subject = f"{shape}.{member}"
            uses = self.member_uses(shape, member)
            if new[member].get("required"):
                self.add(
                    "members", subject, "added, required", "", BREAKING, used, uses
                )
            elif requests:
                reason = f"a parameter of {_ops(requests)}"
                self.add("members", subject, "added", "", REVIEW, reason, uses)
            elif emitted:
                reason = f"the handlers emit {shape}"
                self.add("members", subject, "added", "", REVIEW, reason, uses)
            else:
                self.add("members", subject, "added")
        for member in sorted(set(old) & set(new)):
            before, after = old[member], new[member]
            subject = f"{shape}.{member}"
            self.doc(before, after)
            if after.get("required") and not before.get("required"):
                uses = self.member_uses(shape, member)
                self.add("members", subject, "newly required", "", BREAKING, used, uses)
            elif before.get("required") and not after.get("required"):
                level = REVIEW if requests else ""
                reason = f"a parameter of {_ops(requests or ())} may now be absent"
                uses = self.member_uses(shape, member)
                self.add(
                    "members", subject, "no longer required", "", level, reason, uses
                )
            if before["target"] != after["target"]:
                same = self.same_definition(before["target"], after["target"])
                detail = f"{before['target']} → {after['target']}"
                self.add(
                    "members",
                    subject,
                    "type changed",
                    detail,
                    "" if same else BREAKING,
                    used,
                    self.member_uses(shape, member),
                )
            self.traits(
                subject, before, after, frozenset({"doc", "target", "required"})
            )

    def enum(self, shape: str, old: list[str] | None, new: list[str] | None) -> None:
        if old is None and new is None:
            return
        named = shape in self.usage.shapes
        reason = f"the handlers name {shape}"
        if old is None:
            self.add(
                "enum values",
                shape,
                "enum added",
                f"{len(new or ())} values",
                BREAKING,
                self.unused(self.where_used(shape)),
                self.shape_uses(shape),
            )
            return
        if new is None:
            self.add(
                "enum values",
                shape,
                "enum dropped (any value accepted)",
                "",
                REVIEW if named else "",
                reason,
                self.shape_uses(shape),
            )
            return
        for value in sorted(set(old) - set(new)):
            uses = _unique(
                self.usage.values.get((shape, value), ()), self.value_uses(shape, value)
            )
            used = reason if named else self.unused(self.where_used(shape))
            self.add("enum values", shape, "value removed", value, BREAKING, used, uses)
        for value in sorted(set(new) - set(old)):
            self.add(
                "enum values",
                shape,
                "value added",
                value,
                REVIEW if named else "",
                reason,
                self.value_uses(shape, value),
            )

    def constraints(self, shape: str, old: dict[str, Any], new: dict[str, Any]) -> None:
        where = self.where_used(shape)
        uses = self.shape_uses(shape)
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
            level = BREAKING if tighter else ""
            self.add(
                "constraints", shape, kind, detail, level, self.unused(where), uses
            )
        before, after = old.get("pattern"), new.get("pattern")
        if before == after:
            return
        detail = f"pattern {_show(before) if before else '(none)'} → " + (
            _show(after) if after else "(none)"
        )
        if after is None:
            self.add("constraints", shape, "loosened", detail)
        elif before is None:
            reason = self.unused(where)
            self.add("constraints", shape, "tightened", detail, BREAKING, reason, uses)
        elif widening.loosens(before, after):
            self.add("constraints", shape, "loosened", detail)
        elif where:
            reason = f"not provably looser; {where}"
            self.add("constraints", shape, "changed", detail, BREAKING, reason, uses)
        else:
            reason = "not provably looser; no handler uses it"
            self.add("constraints", shape, "changed", detail, REVIEW, reason, uses)

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
            handler_files=tuple(self.usage.files),
            implemented=tuple(sorted(self.usage.operations)),
        )


def compare(old: Fingerprint, new: Fingerprint, usage: Usage | None = None) -> Report:
    """Every change from `old` to `new`, sorted by category and subject, each with its
    level for handlers that use what `usage` says (none: a service without handlers)."""
    return _Differ(old, new, usage or Usage(new["service"])).run()
