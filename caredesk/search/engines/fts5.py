"""An FTS5 table's structure record: its index's segments, level by level, read from the table's `_data` row 10
in the legacy format SQLite's ext/fts5/fts5_index.c describes (a 4-byte cookie, then varints: levels, segments,
write counter; per level the segments in an ongoing merge and the segments, oldest first, each an id and its
first and last leaf page). Read to see what the merging did; rewritten for one thing: the oldest segment (what a
build's 'optimize' leaves) moved up to the level of its size, so that the merges of new small segments do not
reach it until they are about as large (FTS5 merges a level's segments whatever their sizes, and puts the
optimized segment one level above the levels the index had, often level 1)."""

from __future__ import annotations

from dataclasses import dataclass, replace

STRUCTURE_ROWID = 10
V2_MARK = b"\xff\x00\x00\x01"  # the format of contentless_delete tables, not read here
FANOUT = 4  # FTS5's 'usermerge' default: a level is merged once it holds this many segments
TOP_LEVEL = 32  # FTS5 allows 64


@dataclass(frozen=True)
class Segment:
    id: int
    first: int
    last: int

    @property
    def pages(self) -> int:
        return self.last - self.first + 1


@dataclass(frozen=True)
class Level:
    merging: int  # the oldest segments of the level being merged, in steps
    segments: tuple[Segment, ...]


@dataclass(frozen=True)
class Structure:
    cookie: bytes
    writes: int
    levels: tuple[Level, ...]

    @property
    def segments(self) -> list[Segment]:
        return [segment for level in self.levels for segment in level.segments]


def _varint(data: bytes, at: int) -> tuple[int, int]:
    """SQLite's varint at `at`: (value, where the next one starts)."""
    value = 0
    for n in range(8):
        byte = data[at + n]
        value = (value << 7) | (byte & 0x7F)
        if byte < 0x80:
            return value, at + n + 1
    return (value << 8) | data[at + 8], at + 9


def _put_varint(value: int) -> bytes:
    if not 0 <= value < 1 << 56:
        raise ValueError(f"{value} does not fit the short form of a varint")
    groups = [value & 0x7F]
    value >>= 7
    while value:
        groups.append(0x80 | (value & 0x7F))
        value >>= 7
    return bytes(reversed(groups))


def decode(record: bytes) -> Structure | None:
    """The structure in `record`, or None for a format not read here (V2)."""
    if record[4:8] == V2_MARK:
        return None
    count, at = _varint(record, 4)
    _, at = _varint(record, at)  # the number of segments
    writes, at = _varint(record, at)
    levels = []
    for _ in range(count):
        merging, at = _varint(record, at)
        size, at = _varint(record, at)
        segments = []
        for _ in range(size):
            numbers = []
            for _ in range(3):
                number, at = _varint(record, at)
                numbers.append(number)
            segments.append(Segment(*numbers))
        levels.append(Level(merging, tuple(segments)))
    return Structure(record[:4], writes, tuple(levels))


def encode(structure: Structure) -> bytes:
    numbers = [len(structure.levels), len(structure.segments), structure.writes]
    for level in structure.levels:
        numbers += [level.merging, len(level.segments)]
        for segment in level.segments:
            numbers += [segment.id, segment.first, segment.last]
    return structure.cookie + b"".join(_put_varint(number) for number in numbers)


def read(cursor, table: str) -> Structure | None:
    """The structure of FTS5 table `table` (a DB-API cursor on its database); None without one, in V2, or in
    any form this module would not write back byte for byte (a format of a later SQLite is left alone)."""
    cursor.execute(f"SELECT block FROM {table}_data WHERE id = {STRUCTURE_ROWID}")
    row = cursor.fetchone()
    if row is None:
        return None
    record = bytes(row[0])
    try:
        structure = decode(record)
    except (IndexError, ValueError):
        return None
    return structure if structure is not None and encode(structure) == record else None


def write(cursor, table: str, structure: Structure) -> None:
    cursor.execute(f"UPDATE {table}_data SET block = ? WHERE id = {STRUCTURE_ROWID}", [encode(structure)])


def level_of(pages: int) -> int:
    """The level FTS5's merging would have raised a segment of `pages` pages to, merging level 0's segments of
    about a page each FANOUT at a time, one level higher: new segments merged up to the level below reach it
    only once they are about as large."""
    level, reach = 1, 1
    while reach < pages and level < TOP_LEVEL:
        level, reach = level + 1, reach * FANOUT
    return level


def placed(structure: Structure) -> Structure | None:
    """The structure with its oldest segment (the first of its highest level) moved up to `level_of` its size,
    or None when it is there already or a merge is under way. The levels' order stays the segments' age
    (FTS5 reads a lower level as newer: a newer row or delete marker overrides an older one)."""
    if any(level.merging for level in structure.levels):
        return None
    populated = [number for number, level in enumerate(structure.levels) if level.segments]
    if not populated:
        return None
    current = populated[-1]
    oldest, *rest = structure.levels[current].segments
    target = level_of(oldest.pages)
    if target <= current:
        return None
    levels = list(structure.levels) + [Level(0, ())] * (target + 1 - len(structure.levels))
    levels[current] = Level(0, tuple(rest))
    levels[target] = Level(0, (oldest,))
    return replace(structure, levels=tuple(levels))
