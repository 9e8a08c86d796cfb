"""Objects as openstacksdk's cloud layer returns them: a dict that also reads as attributes (munch-style).

Protobuf messages become Resources recursively: enums as the human word (`ACTIVE`, not `SERVER_STATUS_ACTIVE`),
timestamps as RFC 3339 strings, maps as dicts, repeated fields as lists, and a `properties` value holding a JSON
list or object as that value. Every object keeps its `location`.
"""
import json
import os
from typing import Any, Dict

from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message


class Resource(Dict[str, Any]):
    """A dict whose keys are also attributes: `server.name == server['name']`."""

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    def __setattr__(self, name: str, value: Any) -> None:
        self[name] = value

    def __delattr__(self, name: str) -> None:
        try:
            del self[name]
        except KeyError:
            raise AttributeError(name) from None


def enum_word(field: FieldDescriptor, number: int) -> str:
    """SERVER_STATUS_ACTIVE -> ACTIVE: drops the prefix every value of the enum shares (buf's enum rule)."""
    enum = field.enum_type
    value = enum.values_by_number.get(number)
    if value is None:
        return str(number)
    prefix = os.path.commonprefix([v.name for v in enum.values])
    prefix = prefix[: prefix.rfind('_') + 1]
    return value.name[len(prefix):]


def _json_value(text: Any) -> Any:
    """A cloud property that holds a JSON list or object (tags: '[]') as that value, like openstacksdk gives it."""
    if isinstance(text, str) and text.lstrip()[:1] in ('[', '{'):
        try:
            return json.loads(text)
        except ValueError:
            return text
    return text


def _scalar(field: FieldDescriptor, value: Any) -> Any:
    if field.type == FieldDescriptor.TYPE_ENUM:
        return enum_word(field, value)
    if field.type == FieldDescriptor.TYPE_MESSAGE:
        return to_resource(value)
    return value


def to_resource(message: Message) -> Any:
    """A message as a Resource (a Timestamp as an RFC 3339 string, or None when unset)."""
    if message.DESCRIPTOR.full_name == 'google.protobuf.Timestamp':
        return message.ToJsonString() if (message.seconds or message.nanos) else None
    out = Resource()
    for field in message.DESCRIPTOR.fields:
        value = getattr(message, field.name)
        if field.message_type is not None and field.message_type.GetOptions().map_entry:
            value_field = field.message_type.fields_by_name['value']
            entries = {key: _scalar(value_field, inner) for key, inner in value.items()}
            out[field.name] = {k: _json_value(v) for k, v in entries.items()} if field.name == 'properties' else entries
        elif field.label == FieldDescriptor.LABEL_REPEATED:
            out[field.name] = [_scalar(field, inner) for inner in value]
        elif field.type == FieldDescriptor.TYPE_MESSAGE and not message.HasField(field.name):
            out[field.name] = None
        else:
            out[field.name] = _scalar(field, value)
    return out
