"""moto in server mode, bound to 127.0.0.1, with DynamoDB's write atomicity and a
read-only `/_local/outbox` view of the e-mails and SMS sent (for GET /v1/dev/outbox).

moto also keeps, for its dashboard, a strong reference to every model object it ever
created: every version of every DynamoDB item (each update and each copy makes one), every
SQS message long after it was deleted, every e-mail. Nothing frees them, so a stack that
runs for days grows without bound; `stop_tracking_model_instances` turns that off (the
dashboard is not used here).

DynamoDB applies each write and each transaction atomically; moto does not lock, so two
concurrent requests can both pass the same condition. The local stack and the tests
serialise moto's DynamoDB writes so that they behave like the real service.

moto also backs up every table a transaction touches with a deep copy of the whole
table, before each TransactWriteItems: the cost grows with the table, and under
concurrent requests the copy can meet a dictionary being changed and fail with a 500.
`_transact_write_items` below does what DynamoDB does instead: check every condition
first, write only if all pass, and undo the few items already written if a write fails.

moto's index projection, its Query (a sort of the whole table, then of the whole
partition, for every page) and its SQS (a walk of the whole queue on every call) cost in
proportion to what the stack holds; `_project`, `_partitioned_query` with `_window`, and
`bound_sqs_walks` below keep moto's answers and read only what each call needs.

moto's server also finds the service of every request by listing its own package directory
(`os.listdir` and `isdir` of some 150 entries, under a lock): `cache_backend_lookup` keeps
the answer per host.
"""
from __future__ import annotations

import argparse
import base64
import bisect
import functools
import json
import sys
import threading
import weakref
from collections.abc import Mapping

_done = False
_moto_project = None     # moto's own SecondaryIndex.project, the oracle of the tests


def stop_tracking_model_instances() -> None:
    """moto's BaseModel appends every new instance to a class-level list (the moto-api
    dashboard reads it); here only S3's objects stay listed, since S3 disposes of their
    temporary files through that list when it resets."""
    from moto.core.common_models import BaseModel

    def __new__(cls, *args, **kwargs):
        instance = super(BaseModel, cls).__new__(cls)
        if cls.__module__.startswith("moto.s3."):
            cls.instances_tracked.append(instance)
        return instance

    BaseModel.__new__ = __new__


def intern_attribute_names() -> None:
    """One string per attribute name, shared by every item: moto builds each item's names
    afresh from the request's JSON, about 2 KiB of a 12 KiB case item (forty names, from
    `pk` to `extension_warned`), on every one of the thousands of items a stack holds."""
    from moto.dynamodb.models.dynamo_type import DynamoType, Item, LimitedSizeDict

    def __init__(self, hash_key, range_key, attrs):
        self.hash_key = hash_key
        self.range_key = range_key
        self.attrs = LimitedSizeDict()
        for key, value in attrs.items():
            self.attrs[sys.intern(key)] = DynamoType(value)

    Item.__init__ = __init__


# Items at rest, packed. moto holds every item as a dictionary of `DynamoType` objects,
# each with its own dictionary, and nested maps and lists the same way down: about 35 KiB
# of Python objects per application (its case, assignment, claims, audit entries), which
# over 10,000 applications was most of the local server's growth. An item read or written
# is unpacked into moto's own form and stays so until the next write after
# PACK_INTERVAL seconds, when every item unpacked since is packed again (its DynamoDB
# JSON, zlib-compressed; about a tenth of the size). The packing runs under the write
# lock, so no write is changing an item while it is packed; a Query reading an item at
# that moment keeps the unpacked copy it holds, which has the same content.
PACK_INTERVAL = 1.0
_unpacked: dict = {}                 # id -> weak reference: every item unpacked since the last packing
_unpacked_lock = threading.Lock()
_unpacking_lock = threading.Lock()
_packed_at = 0.0


def pack_items_at_rest(interval: float = PACK_INTERVAL) -> None:
    """moto's `Item.attrs` becomes a property over the packed form (see above)."""
    global PACK_INTERVAL
    PACK_INTERVAL = interval
    from moto.dynamodb.models.dynamo_type import Item
    if isinstance(Item.__dict__.get("attrs"), property):
        return

    def get(self):
        attrs = self.__dict__.get("_attrs")
        if attrs is None:
            # One unpacking per item at a time: reads take no write lock, and a reader that
            # unpacked the same item beside a write would put its own copy in the item after
            # the writer's, so the item would keep the old values and the write would be lost.
            with _unpacking_lock:
                attrs = self.__dict__.get("_attrs")
                if attrs is None:
                    attrs = _unpack(self.__dict__["_packed"])
                    self.__dict__["_attrs"] = attrs
                    with _unpacked_lock:
                        _unpacked[id(self)] = weakref.ref(self)
        return attrs

    def put(self, attrs):
        self.__dict__["_attrs"] = attrs
        self.__dict__["_packed"] = None
        with _unpacked_lock:       # weakly: moto's copies for a Query's answer are gone before they would be packed
            _unpacked[id(self)] = weakref.ref(self)

    Item.attrs = property(get, put)


def _plain(value):
    """A DynamoType as JSON that `_typed` turns back into the same DynamoType (the Python
    value kept as it was: moto holds a binary value as text or as bytes, by how it came)."""
    if value.type == "M":
        return {"M": {name: _plain(v) for name, v in value.value.items()}}
    if value.type == "L":
        return {"L": [_plain(v) for v in value.value]}
    raw = value.value
    if isinstance(raw, bytes):
        return {value.type: {"$b": base64.b64encode(raw).decode("ascii")}}
    if isinstance(raw, list) and any(isinstance(v, bytes) for v in raw):
        return {value.type: [{"$b": base64.b64encode(v).decode("ascii")} if isinstance(v, bytes) else v
                             for v in raw]}
    return {value.type: raw}


def _typed(plain: dict):
    from moto.dynamodb.models.dynamo_type import DynamoType
    kind, raw = next(iter(plain.items()))
    if kind == "M":
        raw = {name: _typed(v) for name, v in raw.items()}
    elif kind == "L":
        raw = [_typed(v) for v in raw]
    elif isinstance(raw, dict):
        raw = base64.b64decode(raw["$b"])
    elif isinstance(raw, list):
        raw = [base64.b64decode(v["$b"]) if isinstance(v, dict) else v for v in raw]
    typed = DynamoType.__new__(DynamoType)
    typed.type, typed.value = kind, raw
    return typed


def _pack(attrs) -> bytes:
    import zlib
    return zlib.compress(json.dumps({name: _plain(value) for name, value in attrs.items()},
                                    separators=(",", ":"), ensure_ascii=False).encode("utf-8"), 1)


def _unpack(packed: bytes):
    import zlib

    from moto.dynamodb.models.dynamo_type import LimitedSizeDict
    attrs = LimitedSizeDict.__new__(LimitedSizeDict)   # as moto's own copy: the item passed its size check
    dict.__init__(attrs)
    for name, value in json.loads(zlib.decompress(packed)).items():
        dict.__setitem__(attrs, sys.intern(name), _typed(value))
    return attrs


def pack_unpacked(now: float | None = None) -> int:
    """Pack every item unpacked since the last time (the caller holds the write lock);
    returns how many. After a write, at most once every PACK_INTERVAL seconds."""
    global _unpacked, _packed_at
    import time
    now = time.monotonic() if now is None else now
    with _unpacked_lock:
        batch, _unpacked = _unpacked, {}
    packed = 0
    for ref in batch.values():
        item = ref()
        attrs = item.__dict__.get("_attrs") if item is not None else None
        if attrs is not None:
            item.__dict__["_packed"] = _pack(attrs)      # first the packed form, then drop the objects:
            item.__dict__["_attrs"] = None               # a reader in between finds one or the other
            packed += 1
    _packed_at = now
    return packed


_LOCK = threading.RLock()
_reading = threading.local()     # the candidates of the Query this thread is running


def serialise_dynamodb_writes() -> None:
    """One DynamoDB write at a time (DynamoDB's own atomicity), a transaction without the
    whole-table backup, and Queries that look only at their partition (`_partitioned_query`)."""
    global _done
    if _done:
        return
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.table import SecondaryIndex, Table

    DynamoDBBackend.transact_write_items = _transact_write_items
    for name in ("put_item", "update_item", "delete_item", "transact_write_items"):
        original = getattr(DynamoDBBackend, name)

        def locked(self, *args, __original=original, __name=name, **kwargs):
            with _LOCK:
                try:
                    return __original(self, *args, **kwargs)
                finally:
                    if __name != "transact_write_items":      # its writes come through the three others
                        _after_write(self, args[0] if args else kwargs["table_name"],
                                     args[1] if len(args) > 1 else kwargs.get("key", kwargs.get("item_attrs")))

        setattr(DynamoDBBackend, name, functools.wraps(original)(locked))
    all_items, query = Table.all_items, Table.query

    def candidates_or_all(self):
        chosen = getattr(_reading, "candidates", None)
        return chosen[1] if chosen is not None and chosen[0] is self else all_items(self)

    Table.all_items = candidates_or_all
    global _moto_project
    _moto_project, SecondaryIndex.project = SecondaryIndex.project, _project
    Table.query = functools.wraps(query)(lambda self, *a, **kw: _partitioned_query(self, query, *a, **kw))
    _done = True


# moto answers every Query by sorting and walking every item of the table (an index Query
# too), so on a local stack holding a few thousand cases each Query costs tens of
# milliseconds and the sweeps' dozens of Queries a minute grow with the history. DynamoDB
# reads one partition. Here each table keeps, per index, the keys of the items under each
# index hash value, updated after every write (all of them pass through the locked
# methods above); a Query then gives moto's own code only its partition's items, which
# moto still checks, sorts, pages and filters as before (ScannedCount included).
# Even one partition can be large: every application of one citizen, every open case of a
# district. moto sorts all of it before taking the first `Limit` (at 8,000 items, half a
# second for a page of 100, where DynamoDB reads the 100). So each partition also keeps
# its keys in moto's order, and a Query with a Limit gets only the run moto's walk reads
# (`_window`); a property test holds it to moto's own answer over the whole partition.

def _key_of(table, attrs: dict):
    from moto.dynamodb.models.dynamo_type import DynamoType
    h = DynamoType(attrs[table.hash_key_attr])
    r = DynamoType(attrs[table.range_key_attr]) if table.range_key_attr else None
    return h, r


def _single_key_attrs(table, key_type: str) -> dict[str, str]:
    """index name -> its one attribute of this key type ("HASH" or "RANGE"); an index with
    several (or none) is left to moto."""
    out = {}
    for index in table.all_indexes():
        names = [k["AttributeName"] for k in index.schema if k["KeyType"] == key_type]
        if len(names) == 1:
            out[index.name] = names[0]
    return out


def _partitions(table) -> dict:
    """The table's index partitions, built from its items the first time they are needed:
    per index hash value, the set of item keys ("by") and, for an index with one range
    key, the same keys in moto's query order ("order", see `_window`)."""
    parts = table.__dict__.get("_local_partitions")
    if parts is None:
        with _LOCK:
            parts = table.__dict__.get("_local_partitions")
            if parts is None:
                parts = {"attrs": _single_key_attrs(table, "HASH"), "range": _single_key_attrs(table, "RANGE"),
                         "of": {}, "by": {}, "order": {}}
                for item in _items_of(table):
                    _place(parts, (item.hash_key, item.range_key), item)
                table.__dict__["_local_partitions"] = parts
    return parts


def _items_of(table):
    for hash_set in list(table.items.values()):
        yield from (list(hash_set.values()) if table.range_key_attr else [hash_set])


def _value(v):
    """An index hash value as an immutable snapshot (moto may change its objects in place)."""
    return None if v is None else (v.type, v.cast_value)


def _first(entry):
    return entry[0]


def _range_value(entry):
    return entry[0][0]


def _sort_key(item, range_attr: str, key) -> tuple | None:
    """moto's order within an index partition: the index range key, then the table's
    hash and range keys (`Table.sorted_items`), as immutable values."""
    value = item.attrs.get(range_attr)
    if value is None:
        return None                              # not in the index: moto leaves it out too
    h, r = key
    return (value.cast_value, h.cast_value) + (() if r is None else (r.cast_value,))


def _place(parts: dict, key, item) -> None:
    placed = parts["of"].setdefault(key, {})
    for index, attr in parts["attrs"].items():
        new = _value(item.attrs.get(attr)) if item is not None else None
        range_attr = parts["range"].get(index)
        new_sort = _sort_key(item, range_attr, key) if new is not None and range_attr else None
        old, old_sort = placed.get(index, (None, None))
        if old == new and old_sort == new_sort:
            continue
        if old is not None:
            parts["by"].get((index, old), set()).discard(key)
            _unorder(parts, (index, old), old_sort)
        if new is not None:
            parts["by"].setdefault((index, new), set()).add(key)
            _order(parts, (index, new), new_sort, key)
            placed[index] = (new, new_sort)
        else:
            placed.pop(index, None)
    if not placed:
        parts["of"].pop(key, None)


def _order(parts: dict, partition, sort_key, key) -> None:
    order = parts["order"].setdefault(partition, [])
    if order is None or sort_key is None:
        return
    try:
        bisect.insort(order, (sort_key, key), key=_first)
    except TypeError:                            # values of two types under one key: moto sorts it all
        parts["order"][partition] = None


def _unorder(parts: dict, partition, sort_key) -> None:
    order = parts["order"].get(partition)
    if not order or sort_key is None:
        return
    try:
        i = bisect.bisect_left(order, sort_key, key=_first)
    except TypeError:
        parts["order"][partition] = None
        return
    if i < len(order) and order[i][0] == sort_key:
        del order[i]


# (backend, table name) -> the keys written since the state saver last asked (drain_changes);
# noted only in the local stack's server (main), not where tests use these wrappers in-process
_CHANGED: dict[tuple, set] = {}
_note_changes = False


def _current(table, h, r):
    return table.get_item(h, r) if table.range_key_attr else table.items.get(h)


def _after_write(backend, table_name, key_attrs) -> None:
    """After each write, under the write lock: the key is marked changed for the saver,
    and the index partitions (if built) follow the item."""
    try:
        table = backend.get_table(table_name)
        if not key_attrs:
            return
        h, r = _key_of(table, key_attrs)
    except Exception:  # noqa: BLE001 - an unknown table or a malformed key: moto has answered with the error
        return
    if _note_changes:
        _CHANGED.setdefault((backend, table_name), set()).add((h, r))
    if "_local_partitions" in table.__dict__:        # else built from the items when first queried
        _place(table.__dict__["_local_partitions"], (h, r), _current(table, h, r))
    if _unpacked:
        import time
        if time.monotonic() - _packed_at >= PACK_INTERVAL:
            pack_unpacked()


def drain_changes() -> list[dict]:
    """Every item written since the last call, as it is now (DynamoDB JSON; `item` None
    for a deleted one), and forgets them: the saver keeps only what changed, instead of
    reading every table on each save. Taken under the write lock, so no write falls
    between the list and the items."""
    out = []
    with _LOCK:
        changed = list(_CHANGED.items())
        _CHANGED.clear()
        for (backend, table_name), keys in changed:
            try:
                table = backend.get_table(table_name)
            except Exception:  # noqa: BLE001 - a table deleted since
                continue
            for h, r in keys:
                key = {table.hash_key_attr: h.to_json()}
                if r is not None:
                    key[table.range_key_attr] = r.to_json()
                item = _current(table, h, r)
                out.append({"table": table_name, "key": key,
                            "item": item.to_json()["Attributes"] if item is not None else None})
    return out


_QUERY_ARGS = ("hash_key", "range_comparison", "range_objs", "limit", "exclusive_start_key", "scan_index_forward",
               "projection_expressions", "index_name", "consistent_read", "filter_expression")
_OPERATORS = {"=": "EQ", "<": "LT", "<=": "LE", ">": "GT", ">=": "GE"}     # a key condition's, by name
_LOWER_BOUNDED = {"EQ", "GE", "GT", "BETWEEN", "BEGINS_WITH"}
_UPPER_BOUNDED = {"EQ", "LE", "LT", "BETWEEN"}


def _past(comparison: str | None, values: list, v, forward: bool) -> bool:
    """In this direction, no value after `v` can meet the range condition either."""
    if comparison is None:
        return False
    if forward:
        if comparison in ("LT", "LE", "EQ", "BETWEEN"):
            upper = values[-1]
            return v >= upper if comparison == "LT" else v > upper
        if comparison == "BEGINS_WITH":
            return v > values[0] and not v.startswith(values[0])
        return False
    if comparison in ("GT", "GE", "EQ", "BETWEEN"):
        lower = values[0]
        return v <= lower if comparison == "GT" else v < lower
    if comparison == "BEGINS_WITH":
        return v < values[0]
    return False


def _window(table, parts: dict, index_name: str, partition, call: dict) -> list | None:
    """The run of the partition, in moto's order, that moto's own walk reads for this
    Query: from the exclusive start key, up to Limit items meeting the range condition,
    or up to the item that takes the page past 1 MB (moto's page size, counted over the
    items as stored), or up to the first item past the range condition; and one item
    more after a full Limit (moto sets LastEvaluatedKey when it meets an item after a
    full page). moto still skips, checks, sorts, pages and filters exactly as before; it
    only no longer sorts the whole partition first, which for a Query with a Limit on a
    partition of thousands cost hundreds of milliseconds, and for a Query that pages
    through a whole partition (the morning digest's every open case of a district) cost
    that for every page: quadratic in the partition. None: hand moto all of it."""
    from moto.dynamodb.comparisons import get_comparison_func
    from moto.dynamodb.models.dynamo_type import DynamoType
    # an empty partition has no list yet; None is one that moto must sort itself (`_order`)
    order, range_attr, limit = parts["order"].get(partition, []), parts["range"].get(index_name), call.get("limit")
    comparison = call.get("range_comparison")
    comparison = _OPERATORS.get(comparison, comparison.upper()) if comparison else None
    forward = call.get("scan_index_forward", True) is not False
    if order is None or not range_attr or call["legacy_filters"] or (
            comparison is not None and comparison not in _LOWER_BOUNDED | _UPPER_BOUNDED):
        return None
    from moto.dynamodb.models.table import RESULT_SIZE_LIMIT
    limit = limit or float("inf")
    values = [o.cast_value for o in call.get("range_objs") or []]
    matches = get_comparison_func(comparison) if comparison else None
    start = call.get("exclusive_start_key")
    at_start = None
    if start:
        if range_attr not in start:
            return None
        at_start = DynamoType(start[range_attr]).cast_value     # moto itself skips up to the start key
        i = (bisect.bisect_left(order, at_start, key=_range_value) if forward
             else bisect.bisect_right(order, at_start, key=_range_value) - 1)
    else:
        i = 0 if forward else len(order) - 1
    if comparison in _LOWER_BOUNDED and forward:                 # nothing below the bound can match
        i = max(i, bisect.bisect_left(order, values[0], key=_range_value))
    elif comparison in _UPPER_BOUNDED and not forward:
        i = min(i, bisect.bisect_right(order, values[-1], key=_range_value) - 1)
    step, chosen, counted, size, results = (1 if forward else -1), [], 0, 0, False
    while 0 <= i < len(order):
        sort_key, key = order[i]
        v = sort_key[0]
        hit = matches is None or matches(v, *values)
        past = _past(comparison, values, v, forward)
        if hit or results or past:     # a miss while moto holds no result changes nothing
            chosen.append(key)
        if past:
            break
        if hit:
            results = True             # a hit tied with the start key may be one, after the key
            if v != at_start:          # (a tie moto skips counts for neither bound: the window only grows)
                item = _current(table, *key)
                size += item.size() if item is not None else 0
                if size > RESULT_SIZE_LIMIT:
                    break              # moto stops at this item, before it, and pages on from the last
                counted += 1
                if counted == limit:
                    if 0 <= i + step < len(order):
                        chosen.append(order[i + step][1])
                    break
        i += step
    return chosen


def _partitioned_query(table, query, *args, **kwargs):
    from moto.dynamodb.models.dynamo_type import Item
    call = dict(zip(_QUERY_ARGS, args))
    call.update((k, v) for k, v in kwargs.items() if k in _QUERY_ARGS)
    call["legacy_filters"] = any(k not in _QUERY_ARGS and k not in ("hash_key_conditions", "range_key_conditions")
                                 for k in kwargs)
    index_name = call.get("index_name")
    conditions = kwargs.get("hash_key_conditions") or []
    if index_name:
        parts = _partitions(table)
        attr = parts["attrs"].get(index_name)
        values = [v for a, v in conditions if a == attr]
        if attr is None or len(values) != 1 or len(kwargs.get("range_key_conditions") or []) > 1:
            return query(table, *args, **kwargs)
        partition = (index_name, _value(values[0]))
        with _LOCK:
            keys = _window(table, parts, index_name, partition, call)
            if keys is None:
                keys = list(parts["by"].get(partition, ()))
        chosen = [item for item in (_current(table, h, r) for h, r in keys) if isinstance(item, Item)]
    else:
        hash_key = call.get("hash_key")
        if hash_key is None:
            return query(table, *args, **kwargs)
        found = table.items.get(hash_key)
        chosen = [] if found is None else (list(found.values()) if table.range_key_attr else [found])
    _reading.candidates = (table, chosen)
    try:
        return query(table, *args, **kwargs)
    finally:
        _reading.candidates = None


def _transact_write_items(self, transact_items: list[dict]) -> None:
    """TransactWriteItems without moto's whole-table backup: all conditions are checked
    against the state before the transaction, then the writes are applied (the caller
    holds the write lock, so nothing changes in between); if a write fails, the items
    already written get their previous values back."""
    from moto.dynamodb.comparisons import get_filter_expression
    from moto.dynamodb.exceptions import (ConditionalCheckFailed, MultipleTransactionsException,
                                          TooManyTransactionsException, TransactionCanceledException,
                                          TransactWriteSingleOpException)
    if len(transact_items) > 100:
        raise TooManyTransactionsException()
    seen, plan, errors = set(), [], []
    for entry in transact_items:
        if len(entry) > 1:
            raise TransactWriteSingleOpException
        op_type, op = next(iter(entry.items()))
        if op_type not in {"ConditionCheck", "Put", "Delete", "Update"}:
            raise ValueError("Unsupported transaction operation")
        table_name = op["TableName"]
        if op_type == "Put":
            table = self.get_table(table_name)
            key = {table.hash_key_attr: op["Item"][table.hash_key_attr]}
            if table.range_key_attr is not None:
                key[table.range_key_attr] = op["Item"][table.range_key_attr]
        else:
            key = op["Key"]
        marker = (str(table_name), str(dict(sorted(key.items()))))
        if marker in seen:
            raise MultipleTransactionsException()
        seen.add(marker)
        current = self.get_item(table_name, key)
        failed = None
        if op.get("ConditionExpression") is not None:
            condition = get_filter_expression(op["ConditionExpression"], op.get("ExpressionAttributeNames"),
                                              op.get("ExpressionAttributeValues"))
            if not condition.expr(current):
                old = current.to_json()["Attributes"] if (
                    op.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD" and current) else None
                failed = ("ConditionalCheckFailed", ConditionalCheckFailed().message, old)
        errors.append(failed or (None, None, None))
        plan.append((op_type, op, table_name, key, current.to_json()["Attributes"] if current else None))
    if any(code is not None for code, _, _ in errors):
        raise TransactionCanceledException(errors)
    done = []
    try:
        for op_type, op, table_name, key, before in plan:
            names, values = op.get("ExpressionAttributeNames"), op.get("ExpressionAttributeValues")
            if op_type == "Put":
                self.put_item(table_name, op["Item"], expression_attribute_names=names,
                              expression_attribute_values=values)
            elif op_type == "Delete":
                self.delete_item(table_name, key, expression_attribute_names=names,
                                 expression_attribute_values=values)
            elif op_type == "Update":
                self.update_item(table_name, key, update_expression=op["UpdateExpression"],
                                 expression_attribute_names=names, expression_attribute_values=values)
            done.append((table_name, key, before))
    except Exception:
        for table_name, key, before in reversed(done):
            if before is None:
                self.delete_item(table_name, key)
            else:
                self.put_item(table_name, before)
        raise


def _project(index, item):
    """moto's `SecondaryIndex.project`, keeping the top-level attributes the projection
    names. moto turned the whole item into plain JSON once for every attribute kept (an
    INCLUDE index of 12 attributes over a case item of 40: twelve conversions), which made
    every index Query page cost more than the Query itself."""
    from moto.dynamodb.models.dynamo_type import Item
    projection = index.projection or {}
    kind = projection.get("ProjectionType")
    if kind not in ("KEYS_ONLY", "INCLUDE"):
        return item                                               # ALL: the whole item
    names = index.table_key_attrs + [k["AttributeName"] for k in index.schema]
    if kind == "INCLUDE":
        names += projection.get("NonKeyAttributes", [])
    return Item(hash_key=item.hash_key, range_key=item.range_key,
                attrs={name: item.attrs[name] for name in dict.fromkeys(names) if name in item.attrs})


# moto's SQS walks every message the queue holds, and builds a list of them, on every
# call: `Queue.messages` (the visible ones) for each receive, and `Queue.attributes` (three
# counts over all messages) for each *send*, since send_message reads one attribute
# (ContentBasedDeduplication) out of the whole computed set. A delete walks them twice
# more. So once a backlog builds, every call costs in proportion to it, and the backlog
# grows faster. SQS itself does none of this. `bound_sqs_walks` keeps moto's own code and
# answers but walks only as far as each call needs: a receive stops at its batch, an
# attribute is computed when it is read, a delete stops at its message.

class _Visible:
    """A queue's visible, undelayed messages, oldest first, walked as they are read."""
    __slots__ = ("_messages",)

    def __init__(self, queue):
        self._messages = queue._messages      # a delete replaces the list; a walk keeps the one it began

    def __iter__(self):
        return (m for m in self._messages if m.visible and not m.delayed)

    def __bool__(self) -> bool:
        return next(iter(self), None) is not None

    def __len__(self) -> int:
        return sum(1 for _ in self)


class _Attributes(Mapping):
    """moto's `Queue.attributes`, each value computed only when it is read."""

    def __init__(self, queue):
        self._queue = queue
        names = list(queue.BASE_ATTRIBUTES)
        if queue.fifo_queue:
            names += queue.FIFO_ATTRIBUTES
        if queue.kms_master_key_id:
            names += queue.KMS_ATTRIBUTES
        if queue.policy:
            names.append("Policy")
        if queue.redrive_policy:
            names.append("RedrivePolicy")
        self._names = dict.fromkeys(names)

    def __getitem__(self, name):
        from moto.core.utils import camelcase_to_underscores
        if name not in self._names:
            raise KeyError(name)
        if name == "Policy":
            value = self._queue.policy
        elif name == "RedrivePolicy":
            value = json.dumps(self._queue.redrive_policy)
        else:
            value = getattr(self._queue, camelcase_to_underscores(name))
        return str(value).lower() if isinstance(value, bool) else value

    def __iter__(self):
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


def _delete_message(self, receipt_handle: str) -> None:
    """moto's `Queue.delete_message`, stopping at the message (the oldest are the ones in flight)."""
    from moto.sqs.exceptions import ReceiptHandleIsInvalid
    if receipt_handle in self.deleted_messages:
        return                                    # deleted before: SQS accepts it again
    messages = self._messages
    for i, message in enumerate(messages):
        if message.receipt_handle == receipt_handle or receipt_handle in message._old_receipt_handles:
            self.pending_messages.discard(message)
            self.deleted_messages.update(message.all_receipt_handles)
            self._messages = messages[:i] + messages[i + 1:]
            return
    raise ReceiptHandleIsInvalid()


SQS_ORIGINALS: dict = {}


def bound_sqs_walks() -> None:
    """moto's SQS queues walk only what each call reads (see above)."""
    from moto.sqs.models import Queue
    if SQS_ORIGINALS:
        return
    SQS_ORIGINALS.update(messages=Queue.messages, attributes=Queue.attributes,
                         delete_message=Queue.delete_message)
    Queue.messages = property(_Visible)
    Queue.attributes = property(_Attributes)
    Queue.delete_message = _delete_message


def _base64(value):
    """JSON for moto's binary attribute values (bytes), as DynamoDB's own JSON has them."""
    if isinstance(value, (bytes, bytearray)):
        import base64
        return base64.b64encode(value).decode()
    raise TypeError(type(value).__name__)


def cache_backend_lookup(dispatcher, size: int = 256):
    """The service of a host, found once per host: moto's `get_backend_for_host` lists moto's
    package directory for every request (about 8% of the server's CPU in a soak); the answer
    depends on the host alone, and the package does not change while the server runs."""
    dispatcher.get_backend_for_host = functools.lru_cache(maxsize=size)(dispatcher.get_backend_for_host)
    return dispatcher


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    global _note_changes
    serialise_dynamodb_writes()
    bound_sqs_walks()
    stop_tracking_model_instances()
    intern_attribute_names()
    pack_items_at_rest()
    _note_changes = True

    from moto.server import DomainDispatcherApplication, create_backend_app
    from werkzeug.serving import make_server

    import os
    from pathlib import Path

    from .outbox import Archive, collect, drain_sent, merge
    from .state import saved_outbox
    state_dir = Path(os.environ.get("ACIKKAPI_LOCAL_STATE") or "/nonexistent")
    # what was sent before this start, and what the saver has taken since: out of moto
    archive = Archive(saved_outbox(state_dir))

    moto_app = cache_backend_lookup(DomainDispatcherApplication(create_backend_app))
    local = {("GET", "/_local/outbox"): lambda: merge(collect(), archive.view()),
             ("POST", "/_local/changes"): drain_changes,      # the state saver's, as they hand out once
             ("POST", "/_local/sent"): lambda: drain_sent(archive)}

    def app(environ, start_response):
        view = local.get((environ.get("REQUEST_METHOD"), environ.get("PATH_INFO")))
        if view is not None:
            body = json.dumps(view(), ensure_ascii=False, default=_base64).encode("utf-8")
            start_response("200 OK", [("Content-Type", "application/json; charset=utf-8"),
                                      ("Content-Length", str(len(body)))])
            return [body]
        return moto_app(environ, start_response)

    make_server("127.0.0.1", args.port, app, threaded=True).serve_forever()


if __name__ == "__main__":
    main()
