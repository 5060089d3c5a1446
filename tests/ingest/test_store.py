"""The processed store of an area: one generation, partitioned by community; readers see only their
community; a re-ingest redoes only what changed; parallel and serial builds agree; the documented
ways of reading a table without jiesu work."""

from __future__ import annotations

import os

import pandas as pd
import pyarrow.dataset as ds
import pytest
from ingest_fixtures import FOCUS, PEER, tree_digest, write_mini_area

from jiesu import processed
from jiesu.cli import main
from jiesu.errors import DataError, MissingDataError
from jiesu.ingest.pipeline import ingest
from jiesu.settings import paths
from jiesu.snapshot.world import open_world


@pytest.fixture(scope="module")
def area(tmp_path_factory):
    """The mini area (focus + one peer) ingested once: (data dir, result)."""
    data = tmp_path_factory.mktemp("area")
    write_mini_area(data / "raw", panel_copy=True)
    return data, ingest(data / "raw", data / "processed")


def test_every_community_is_ingested_into_one_generation(area):
    data, result = area
    store = data / "processed"
    assert processed.communities(store) == sorted([FOCUS, PEER])
    assert processed.default_community(store) == FOCUS
    assert sorted(result.rebuilt) == sorted([FOCUS, PEER])
    generation = processed.generation(store)
    assert (store / "current").is_symlink() and generation.name.startswith("gen-")
    assert (generation / "households" / f"community={PEER}" / "part-0.parquet").is_file()
    assert (generation / "panel" / "part-0.parquet").is_file()
    manifest = processed.read_manifest(store)
    assert manifest["layout"] == "jiesu-processed/2" and manifest["default_community"] == FOCUS
    assert manifest["communities"][PEER]["raw_dir"] == f"communities/{PEER}"
    assert manifest["communities"][PEER]["inputs"]["buildings.csv"]["rows"] == 2
    assert manifest["area"]["outputs"]["panel"]["rows"] == 4
    assert result.counts["households"] == 6 and result.counts["panel"] == 4
    assert "2 社区 communities (2 rebuilt, 0 unchanged)" in result.summary()


def test_a_world_reads_only_its_own_community(area):
    data, _ = area
    focus, peer = open_world(data), open_world(data, PEER)
    assert focus.community == FOCUS and peer.community == PEER
    assert len(focus.table("households")) == len(peer.table("households")) == 3
    # resident ids are scoped to the community: the same people in two folders are two sets of ids
    assert set(focus.table("residents")["resident_id"]).isdisjoint(peer.table("residents")["resident_id"])
    assert len(peer.table("panel")) == 4  # the area table: every community
    assert peer.manifest["community"] == PEER and "area_panel.csv" in peer.manifest["inputs"]
    assert peer.manifest["outputs"]["panel"] == focus.manifest["outputs"]["panel"]
    assert peer.manifest["outputs"]["cases"] != focus.manifest["outputs"]["cases"]
    with pytest.raises(MissingDataError) as caught:
        open_world(data, "别的社区").table("households")
    assert str(caught.value) == (
        f"{data / 'processed'} 没有社区 has no community '别的社区' (it has: {PEER}、{FOCUS}): add its raw "
        f"files under raw/communities/别的社区/ and run `jiesu ingest --data-dir {data}`"
    )
    assert not open_world(data, "别的社区").has("households")


def test_tables_read_the_documented_ways_without_jiesu(area):
    data, _ = area
    current = data / "processed" / "current"
    one = pd.read_parquet(current / "messages" / f"community={PEER}" / "part-0.parquet")
    filtered = pd.read_parquet(current / "messages", filters=[("community", "==", PEER)])
    assert len(one) == len(filtered) == 6
    assert ds.dataset(current / "messages", partitioning="hive").to_table().num_rows == 12


def test_partition_folder_names_escape_what_a_path_cannot_hold():
    assert processed.partition_segment("甘露园南里二社区") == "community=甘露园南里二社区"
    assert processed.partition_segment("A/B=C%") == "community=A%2FB%3DC%25"


def test_only_the_changed_community_is_rebuilt(tmp_path):
    raw = write_mini_area(tmp_path / "raw")
    store = tmp_path / "processed"
    first = ingest(raw, store)
    old = processed.generation(store)
    with open(raw / "communities" / PEER / "chat_messages.csv", "a", encoding="utf-8") as handle:
        handle.write("m9,g2@chatroom,wxid_r3,张三,2020-09-02 08:00:00,文本,好的\n")
    second = ingest(raw, store)
    new = processed.generation(store)
    assert second.rebuilt == (PEER,) and new != old
    assert second.communities[PEER]["messages"] == first.communities[PEER]["messages"] + 1
    focus_file = f"messages/community={FOCUS}/part-0.parquet"
    assert os.stat(new / focus_file).st_ino == os.stat(old / focus_file).st_ino  # carried over: a hard link
    assert not processed.read_manifest(store)["communities"][FOCUS]["rebuilt"]
    assert processed.read_manifest(store)["previous_generation"] == old.name
    third = ingest(raw, store)
    assert third.skipped and processed.generation(store) == new


def test_a_changed_panel_rebuilds_no_community(tmp_path):
    raw = write_mini_area(tmp_path / "raw")
    store = tmp_path / "processed"
    ingest(raw, store)
    text = (raw / "area_panel.csv").read_text(encoding="utf-8")
    (raw / "area_panel.csv").write_text(
        text + "对照社区02,2020-09,3000,1000,供暖,2,2,1,1,1\n", encoding="utf-8"
    )
    result = ingest(raw, store)
    assert result.rebuilt == () and result.counts["panel"] == 5


def test_parallel_workers_write_the_same_tables_as_one_process(tmp_path):
    raw = write_mini_area(tmp_path / "raw")
    ingest(raw, tmp_path / "serial", workers=1)
    ingest(raw, tmp_path / "parallel", workers=2)
    serial, parallel = (processed.read_manifest(tmp_path / name) for name in ("serial", "parallel"))
    for community in (FOCUS, PEER):
        hashes = [
            {t: e["sha256"] for t, e in m["communities"][community]["outputs"].items()}
            for m in (serial, parallel)
        ]
        assert hashes[0] == hashes[1]


def test_a_strict_failure_in_one_community_publishes_nothing(tmp_path):
    raw = write_mini_area(tmp_path / "raw")
    store = tmp_path / "processed"
    ingest(raw, store)
    before = tree_digest(store)
    (raw / "communities" / PEER / "teams.csv").write_bytes(b"")
    with pytest.raises(DataError) as caught:
        ingest(raw, store, workers=2)
    assert (
        str(caught.value)
        == f"文件 file communities/{PEER}/teams.csv: 空文件 empty file: no header and no rows"
    )
    assert tree_digest(store) == before


def test_data_dir_is_one_layout_and_errors_name_its_command(tmp_path, capsys):
    data = tmp_path / "d"
    write_mini_area(data / "raw")
    assert main(["ingest", "--data-dir", str(data)]) == 0
    assert processed.communities(data / "processed") == sorted([FOCUS, PEER])
    empty = tmp_path / "empty"
    with pytest.raises(MissingDataError) as caught:
        processed.read_table(empty / "processed", "households")
    assert str(caught.value) == (
        f"{empty / 'processed'} 还没有处理后的数据 has no processed data yet: run "
        f"`jiesu ingest --data-dir {empty}` first"
    )
    assert (
        processed.ingest_command(tmp_path / "store")
        == f"jiesu ingest --raw RAW_DIR --out {tmp_path / 'store'}"
    )
    assert paths(data).processed == data / "processed"


def test_the_pool_uses_only_idle_cores(monkeypatch):
    from jiesu.ingest import pipeline

    monkeypatch.delenv(pipeline.WORKERS_ENV, raising=False)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2, 3})
    monkeypatch.setattr(os, "getloadavg", lambda: (1.2, 0.0, 0.0))
    assert pipeline._workers(None, 6) == 3 and pipeline._workers(None, 2) == 2
    monkeypatch.setattr(os, "getloadavg", lambda: (7.5, 0.0, 0.0))  # a busy machine: build in this process
    assert pipeline._workers(None, 6) == 1
    assert pipeline._workers(4, 6) == 4  # asked for
    monkeypatch.setenv(pipeline.WORKERS_ENV, "2")
    assert pipeline._workers(None, 6) == 2


def test_a_communitys_planted_truth_comes_from_its_own_folder(tmp_path):
    raw = write_mini_area(tmp_path / "raw")
    (raw / "communities" / PEER / "planted_truth.json").write_text(
        '{"meta": {"community": "peer"}}', encoding="utf-8"
    )
    (raw / "communities" / PEER / "planted_cases.csv").write_text("case_id\nC1\n", encoding="utf-8")
    ingest(raw, tmp_path / "processed")
    focus, peer = open_world(tmp_path), open_world(tmp_path, PEER)
    assert (focus.synthetic, peer.synthetic) == (False, True)
    assert focus.planted_truth() is None and peer.planted_truth() == {"meta": {"community": "peer"}}
    assert peer.planted_table("cases")["case_id"].tolist() == ["C1"]
    assert peer.raw_dir == raw / "communities" / PEER and focus.raw_dir == raw
    assert processed.read_manifest(tmp_path / "processed")["synthetic"] is True  # some community is
