"""The exception base that every generated error class derives from."""

from __future__ import annotations

from typing import Any, ClassVar, get_type_hints

from pydantic import TypeAdapter


class ServiceError(Exception):
    """An error a service answers with, as its model declares it.

    Generated subclasses set the class attributes from the error shape and declare their
    extra members (`Reason`, `Type`, ...) as keyword arguments of `__init__`.
    """

    #: The error code clients read from `__type`.
    code: ClassVar[str] = "ServiceError"
    #: HTTP status: the model's `error.httpStatusCode`, else 400 (500 for a `fault`).
    http_status: ClassVar[int] = 400
    #: True when the caller is at fault (a client error), False for a server `fault`.
    sender_fault: ClassVar[bool] = True
    #: Wire name of the message member (`Message` or `message`, as the shape spells it),
    #: None when the shape has no message.
    message_member: ClassVar[str | None] = "Message"
    #: Extra modeled members: python attribute name -> wire name.
    members: ClassVar[dict[str, str]] = {}
    #: Extra response headers (e.g. `Allow` of a 405); set per instance.
    headers: tuple[tuple[bytes, bytes], ...] = ()
    _member_adapters: ClassVar[dict[str, TypeAdapter[Any]]]

    def __init__(self, message: str | None = None, **members: Any) -> None:
        super().__init__(message)
        self.message = message
        adapters = type(self)._adapters()
        for name in type(self).members:
            value = members.pop(name, None)
            # Validated against the member's type: a handler bug fails here, loudly.
            setattr(
                self,
                name,
                None if value is None else adapters[name].validate_python(value),
            )
        if members:
            unknown = ", ".join(sorted(members))
            raise TypeError(f"{type(self).__name__} has no member {unknown}")

    @classmethod
    def _adapters(cls) -> dict[str, TypeAdapter[Any]]:
        """A pydantic adapter per extra member, from the class's annotations, built once."""
        cached: dict[str, TypeAdapter[Any]] | None = cls.__dict__.get(
            "_member_adapters"
        )
        if cached is None:
            hints = get_type_hints(cls)
            cached = {name: TypeAdapter(hints[name]) for name in cls.members}
            cls._member_adapters = cached
        return cached

    def __str__(self) -> str:
        return self.message or self.code

    def to_wire(self) -> dict[str, Any]:
        """The error's modeled members by wire name, as JSON values, `None` left out.

        (No `__type`: the protocol adds it.)
        """
        body: dict[str, Any] = {}
        if self.message is not None and self.message_member is not None:
            body[self.message_member] = self.message
        adapters = type(self)._adapters()
        for name, wire in type(self).members.items():
            value = getattr(self, name)
            if value is not None:
                body[wire] = adapters[name].dump_python(
                    value, mode="json", by_alias=True, exclude_none=True
                )
        return body


class NotImplementedOperation(NotImplementedError):
    """Raised by a skeleton method that no hand-written handler overrides.

    The server answers it with an AWS-shaped "not implemented" error.
    """

    def __init__(self, operation: str) -> None:
        super().__init__(f"{operation} is not implemented by this server")
        self.operation = operation


class CommonError(ServiceError):
    """An error every AWS service may answer with, outside its own model.

    Instances carry their own code and status (the class attributes are defaults).
    """

    def __init__(self, code: str, message: str, http_status: int = 400) -> None:
        super().__init__(message)
        self.code = code  # type: ignore[misc]
        self.http_status = http_status  # type: ignore[misc]
        self.sender_fault = http_status < 500  # type: ignore[misc]
