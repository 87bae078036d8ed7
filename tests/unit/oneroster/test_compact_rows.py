"""An import's memory: parsed rows are compact (a tuple over the file's header) and a stored
row is compared by its digest, with the same answers as the dicts they replace."""

from __future__ import annotations

import uuid

from edtech.oneroster.domain.binding import Mode, Record, parse_file
from edtech.oneroster.infrastructure.sources import Source, digest_of

ORGS = "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId\r\n"


def test_a_parsed_row_reads_like_the_dict_it_was() -> None:
    text = ORGS + "o1,,,North,school,N1,\r\no2,,,South,school,S1,o1\r\n"
    first, second = parse_file("orgs", text, Mode.BULK).records
    assert not hasattr(first, "__dict__")  # __slots__: no dict per row
    assert first.get("name") == "North"
    assert first.get("nothing") == ""
    assert second.values == {
        "sourcedId": "o2",
        "status": "",  # a bulk row: blank, its status is the record's
        "dateLastModified": "",
        "name": "South",
        "type": "school",
        "identifier": "S1",
        "parentSourcedId": "o1",
    }
    assert "status" not in second.content()
    assert second.content()["parentSourcedId"] == "o1"
    assert first.get("type") is second.get("type")  # a repeated value is kept once
    made = Record("orgs", 3, "o2", "active", second.values)
    assert made.values == second.values
    assert made == second  # compared by value, as the dataclass it replaced


def test_a_stored_row_not_read_is_compared_by_its_digest() -> None:
    stored = {"name": "North", "type": "school"}
    found = Source(None, "org", "o1", uuid.uuid4(), "active", {}, loaded=False)
    assert not found.holds(stored)  # neither read nor digested: changed
    found.digest = digest_of(stored)
    assert found.holds({"type": "school", "name": "North"})  # any order
    assert not found.holds({"name": "North", "type": "district"})
    assert not found.holds({"name": "North"})
    read = Source(None, "org", "o1", uuid.uuid4(), "active", dict(stored))
    assert read.holds(stored)
    assert not read.holds({"name": "South", "type": "school"})
