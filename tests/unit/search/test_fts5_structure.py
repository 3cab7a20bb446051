"""FTS5's structure record read and rewritten (caredesk.search.engines.fts5), on an FTS5 table of SQLite's own:
the record read back as FTS5 wrote it, and the placement of the oldest segment keeps the index whole."""

from __future__ import annotations

import sqlite3

import pytest

from caredesk.search.engines import fts5


@pytest.fixture
def database():
    database = sqlite3.connect(":memory:", isolation_level=None)
    database.execute("CREATE VIRTUAL TABLE t USING fts5(body)")
    database.execute("INSERT INTO t(t, rank) VALUES ('automerge', 0)")
    yield database
    database.close()


def write_rows(database, first: int, count: int, words: str = "passport renewal") -> None:
    """`count` rows in one transaction: one new segment on level 0."""
    database.execute("BEGIN")
    database.executemany("INSERT INTO t(rowid, body) VALUES (?, ?)",
                         [(rowid, f"{words} number{rowid}") for rowid in range(first, first + count)])
    database.execute("COMMIT")


def check(database) -> None:
    database.execute("INSERT INTO t(t) VALUES ('integrity-check')")  # raises on a damaged index


def test_the_record_is_read_and_written_back_as_fts5_wrote_it(database):
    for first in range(1, 400, 100):
        write_rows(database, first, 100)
    record = bytes(database.execute("SELECT block FROM t_data WHERE id = 10").fetchone()[0])
    structure = fts5.decode(record)
    assert [len(level.segments) for level in structure.levels] == [4]
    assert fts5.encode(structure) == record


def test_a_record_it_would_not_write_back_as_it_was_is_left_alone(database):
    """A format of a later SQLite (here: a byte more at the end, a record cut short) reads as None: the worker
    then places nothing, and FTS5 merges as it would without it."""
    write_rows(database, 1, 100)
    record = bytes(database.execute("SELECT block FROM t_data WHERE id = 10").fetchone()[0])
    for changed in (record + b"\x01", record[:-1]):
        database.execute("UPDATE t_data SET block = ? WHERE id = 10", [changed])
        assert fts5.read(database.cursor(), "t") is None
    database.execute("UPDATE t_data SET block = ? WHERE id = 10", [record])
    assert fts5.read(database.cursor(), "t") == fts5.decode(record)


def test_the_optimized_segment_is_placed_on_the_level_of_its_size_and_the_index_stays_whole(database):
    write_rows(database, 1, 3000, words="passport " * 20)
    write_rows(database, 3001, 10)
    database.execute("INSERT INTO t(t) VALUES ('optimize')")
    cursor = database.cursor()
    [built] = fts5.read(cursor, "t").segments
    placed = fts5.placed(fts5.read(cursor, "t"))
    assert placed.levels[fts5.level_of(built.pages)].segments == (built,) and fts5.level_of(built.pages) > 1
    database.execute("BEGIN")
    fts5.write(cursor, "t", placed)
    database.execute("COMMIT")
    assert fts5.placed(fts5.read(cursor, "t")) is None  # placed once
    check(database)
    assert database.execute("SELECT count(*) FROM t WHERE t MATCH 'number3005'").fetchone() == (1,)
    database.execute("DELETE FROM t WHERE rowid = 3005")  # a delete marker, newer than the placed segment
    database.execute("INSERT INTO t(t, rank) VALUES ('merge', 500)")
    assert database.execute("SELECT count(*) FROM t WHERE t MATCH 'number3005'").fetchone() == (0,)
    check(database)


def test_nothing_is_placed_while_a_merge_is_under_way():
    segment = fts5.Segment(1, 1, 5000)
    merging = fts5.Structure(b"\0\0\0\1", 0, (fts5.Level(2, (segment, fts5.Segment(2, 1, 1))), fts5.Level(0, ())))
    assert fts5.placed(merging) is None
    assert fts5.placed(fts5.Structure(b"\0\0\0\1", 0, ())) is None


@pytest.mark.parametrize("pages, level", [(1, 1), (4, 2), (5, 3), (64, 4), (65, 5), (3577, 7), (29633, 9)])
def test_the_level_of_a_size(pages, level):
    assert fts5.level_of(pages) == level


def test_fts5_writes_back_a_copy_it_read_before_the_placement_and_drops_it_at_a_merge_command(database):
    """FTS5 keeps the structure it last read for the connection (until another connection commits): a copy
    read before the placement is written back by its next change (the same segments, the placement undone);
    its 'merge' command drops the copy, so a placement made right after one (as the worker's step does) holds."""
    write_rows(database, 1, 3000, words="passport " * 20)
    database.execute("INSERT INTO t(t) VALUES ('optimize')")
    cursor = database.cursor()

    def place():
        database.execute("BEGIN")
        fts5.write(cursor, "t", fts5.placed(fts5.read(cursor, "t")))
        database.execute("COMMIT")

    assert database.execute("SELECT count(*) FROM t WHERE t MATCH 'passport'").fetchone() == (3000,)  # a copy
    place()
    write_rows(database, 3001, 10)
    check(database)
    assert fts5.placed(fts5.read(cursor, "t")) is not None  # undone
    database.execute("INSERT INTO t(t, rank) VALUES ('merge', 500)")  # nothing to merge: the copy dropped
    place()
    write_rows(database, 3011, 10)
    check(database)
    assert fts5.placed(fts5.read(cursor, "t")) is None  # held
    assert database.execute("SELECT count(*) FROM t WHERE t MATCH 'passport'").fetchone() == (3020,)
