"""Faults while writing: a run killed in its write phase, a full disk, a read-only output folder, two
runs at once, a damaged store.  In every case the generation readers use stays intact, the message
names the folder and the command that fixes it, and the next run cleans up after the failed one."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from ingest_fixtures import child_env, run_jiesu, shared_copy, tree_digest, write_mini_world

from jiesu import locks, processed
from jiesu.errors import LockedError, MissingDataError, OutputError, StoreError
from jiesu.ingest.pipeline import ingest


@pytest.fixture
def data(tmp_path):
    """A data folder with the mini world ingested once (``data/raw``, ``data/processed``)."""
    write_mini_world(tmp_path / "raw")
    ingest(tmp_path / "raw", tmp_path / "processed")
    return tmp_path


def _change_input(data: Path, number: int = 9) -> None:
    """One more chat message (``m<number>``): a changed input, so the next run writes a generation."""
    with open(data / "raw" / "chat_messages.csv", "a", encoding="utf-8") as handle:
        handle.write(f"m{number},g2@chatroom,wxid_r3,张三,2020-09-02 08:00:00,文本,好的\n")


def _generation_digest(data: Path) -> dict:
    gen = processed.generation(data / "processed")
    return {"name": gen.name, **tree_digest(gen)}


def _paused_run(data: Path, signal_file: Path) -> subprocess.Popen:
    """``jiesu ingest --data-dir DATA`` in a child that pauses in its write phase (after its first table)."""
    child = subprocess.Popen(
        [sys.executable, "-m", "jiesu", "ingest", "--data-dir", str(data)],
        env=child_env(**{processed.FAULT_ENV: str(signal_file)}),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while not signal_file.exists():
        if child.poll() is not None:
            raise AssertionError(f"the child ended early: {child.stderr.read().decode()}")
        assert time.monotonic() < deadline, "the child never reached its write phase"
        time.sleep(0.05)
    return child


def _staging(data: Path) -> list[str]:
    return sorted(
        p.name for p in (data / "processed").iterdir() if p.name.startswith(processed.STAGING_PREFIX)
    )


# ---------------------------------------------------------------- killed in the write phase


def test_a_run_killed_while_writing_leaves_the_old_generation_and_is_cleaned_up(data, tmp_path):
    before = _generation_digest(data)
    _change_input(data)
    child = _paused_run(data, tmp_path / "paused")
    assert len(_staging(data)) == 1  # the new set is being written beside the old one
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    assert _generation_digest(data) == before  # readers still see the old generation, untouched
    assert len(processed.read_table(data / "processed", "messages")) == 6
    result = ingest(data / "raw", data / "processed")
    assert not result.skipped and result.counts["messages"] == 7
    assert _staging(data) == []  # the killed run's staging folder is gone
    assert processed.read_manifest(data / "processed")["previous_generation"] == before["name"]


def test_a_second_run_refuses_and_names_the_holder(data, tmp_path):
    _change_input(data)
    child = _paused_run(data, tmp_path / "paused")
    try:
        holder = locks.read_holder(data / "processed")
        with pytest.raises(LockedError) as caught:
            ingest(data / "raw", data / "processed")
        assert str(caught.value) == (
            f"{data / 'processed'} 正被占用 is locked by pid {child.pid} on host {socket.gethostname()} "
            f"(jiesu ingest, since {holder.started_at}): wait for it to finish (or rerun with --wait SECONDS), or "
            "stop that process if it is stuck"
        )
    finally:
        child.kill()
        child.wait()


def test_a_second_run_with_wait_goes_on_once_the_holder_is_gone(data, tmp_path):
    _change_input(data)
    child = _paused_run(data, tmp_path / "paused")
    waited = []

    def holder_stops(holder):
        waited.append(holder.pid)
        os.kill(child.pid, signal.SIGKILL)  # e.g. the operator stops the stuck run

    result = ingest(data / "raw", data / "processed", wait=30, on_wait=holder_stops)
    child.wait()
    assert waited == [child.pid]
    assert not result.skipped and result.counts["messages"] == 7 and _staging(data) == []


# ---------------------------------------------------------------- full disk, read-only folder


@pytest.fixture
def small_disk(tmp_path):
    """A 2 MB tmpfs mounted at ``tmp_path/disk`` (needs root)."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs to fill needs root; run as root to test a full disk")
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(disk)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    yield disk
    subprocess.run(["umount", "-l", str(disk)], check=False)


def test_a_full_disk_publishes_nothing_and_says_so(small_disk):
    data = small_disk
    write_mini_world(data / "raw")
    ingest(data / "raw", data / "processed")
    before = _generation_digest(data)
    _change_input(data)
    free = shutil.disk_usage(data).free
    ballast = data / "ballast"
    with open(ballast, "wb") as handle:  # leave about 20 KB: the new generation does not fit
        handle.write(b"\0" * max(0, free - 20_000))
    with pytest.raises(OutputError) as caught:
        ingest(data / "raw", data / "processed")
    assert str(caught.value) == (
        f"无法写入输出目录 cannot write the output folder {data / 'processed'} (磁盘已满 no space left on device): "
        f"free some space, then run `jiesu ingest --data-dir {data}` again"
    )
    assert _generation_digest(data) == before and _staging(data) == []
    ballast.unlink()
    assert ingest(data / "raw", data / "processed").counts["messages"] == 7


def _read_only_run(data: Path):
    """Run ``jiesu ingest --data-dir DATA`` with ``DATA/processed`` not writable for the runner: as user
    nobody when we are root (root ignores permission bits), else after ``chmod a-w``."""
    as_root = os.geteuid() == 0
    if not as_root:
        (data / "processed").chmod(0o555)
    try:
        return run_jiesu(["ingest", "--data-dir", str(data)], as_nobody=as_root)
    finally:
        (data / "processed").chmod(0o755)


def test_a_read_only_output_folder_is_named_with_the_fix(data):
    shared = shared_copy(data)
    try:
        before = tree_digest(shared / "processed")
        _change_input(shared)
        status, _, err = _read_only_run(shared)
        assert status == 1
        assert err.strip().splitlines() == [
            f"错误 error: 无法写入输出目录 cannot write the output folder {shared / 'processed'} (权限不足 permission "
            f"denied): make it writable (or choose another output folder), then run `jiesu ingest --data-dir "
            f"{shared}` again"
        ]
        assert tree_digest(shared / "processed") == before
    finally:
        shutil.rmtree(shared)


def test_a_read_only_store_that_is_up_to_date_is_fine(data):
    shared = shared_copy(data)
    try:
        status, out, err = _read_only_run(shared)
        assert status == 0, err
        assert "inputs unchanged" in out
    finally:
        shutil.rmtree(shared)


# ---------------------------------------------------------------- a damaged or foreign store


def test_readers_refuse_a_partition_that_does_not_match_the_manifest(data):
    store = data / "processed"
    part = processed.generation(store) / "messages" / "community=甘露园南里二社区" / "part-0.parquet"
    size = part.stat().st_size
    part.unlink()  # break the hard link to previous generations before damaging it
    part.write_bytes(b"PAR1" + b"\0" * 10)
    with pytest.raises(StoreError) as caught:
        processed.read_table(store, "messages")
    assert str(caught.value) == (
        f"{part} 与清单不符 does not match the manifest (14 bytes, manifest says {size}): run "
        f"`jiesu ingest --data-dir {data}` to rebuild it"
    )
    result = ingest(data / "raw", store)  # ingest notices and rebuilds although no input changed
    assert not result.skipped and len(processed.read_table(store, "messages")) == 6


def test_readers_refuse_a_half_set(data):
    store = data / "processed"
    generation = processed.generation(store)
    part = generation / "cases" / "community=甘露园南里二社区" / "part-0.parquet"
    part.unlink()
    with pytest.raises(StoreError) as caught:
        processed.read_table(store, "cases")
    assert (
        str(caught.value)
        == f"{part} 缺失 is missing (a half set): run `jiesu ingest --data-dir {data}` to rebuild it"
    )
    (generation / "manifest.json").unlink()
    with pytest.raises(StoreError) as caught:
        processed.read_table(store, "households")
    assert str(caught.value) == (
        f"{generation} 没有清单 has no manifest.json (a half-written set): run `jiesu ingest --data-dir {data}` "
        "to rebuild it"
    )


def test_readers_refuse_a_dangling_current_link(data):
    store = data / "processed"
    generation = processed.generation(store)
    shutil.rmtree(generation)
    with pytest.raises(StoreError) as caught:
        processed.read_table(store, "households")
    assert str(caught.value) == (
        f"{store / 'current'} 指向不存在的版本 points to a missing generation ({generation.name}): run "
        f"`jiesu ingest --data-dir {data}`"
    )


def test_an_old_flat_store_is_named_and_replaced(tmp_path):
    store = tmp_path / "processed"
    store.mkdir()
    pd.DataFrame({"household_id": ["06-3-502"]}).to_parquet(store / "households.parquet")
    (store / "manifest.json").write_text(
        '{"schema_version": "1", "outputs": {"households": {"file": "households.parquet"}}}', encoding="utf-8"
    )
    (store / "README.md").write_text("docs", encoding="utf-8")
    with pytest.raises(StoreError) as caught:
        processed.read_table(store, "households")
    assert str(caught.value) == (
        f"{store} 是旧的单层格式 holds processed data in the old flat layout (schema 1): run "
        f"`jiesu ingest --data-dir {tmp_path}` to rebuild it"
    )
    assert processed.read_manifest(store)["schema_version"] == "1"  # still visible to old readers
    write_mini_world(tmp_path / "raw")
    ingest(tmp_path / "raw", store)
    assert sorted(p.name for p in store.iterdir() if not p.name.startswith("gen-")) == [
        ".lock",
        "README.md",
        "current",
    ]


def test_nothing_ingested_yet_names_the_command(tmp_path):
    with pytest.raises(MissingDataError) as caught:
        processed.read_table(tmp_path / "processed", "cases")
    assert str(caught.value) == (
        f"{tmp_path / 'processed'} 还没有处理后的数据 has no processed data yet: run "
        f"`jiesu ingest --data-dir {tmp_path}` first"
    )


def test_leftovers_of_failed_runs_are_cleaned_even_when_nothing_changed(data):
    store = data / "processed"
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        for name, pid in ((".staging-gen-dead", dead.pid), (".staging-gen-alive", alive.pid)):
            (store / name).mkdir()
            (store / name / processed.OWNER_FILE).write_text(
                f'{{"pid": {pid}, "host": "{socket.gethostname()}", "started_at": "x"}}', encoding="utf-8"
            )
        (store / ".staging-gen-no-owner").mkdir()
        (store / "gen-19990101T000000000000Z-1-abcdef").mkdir()  # abandoned: neither current nor previous
        (store / ".current-1a2b3c4d").symlink_to("nowhere")
        (store / ".manifest.json.ab12_x9z.tmp").write_text("{", encoding="utf-8")
        current = processed.generation(store)
        assert ingest(data / "raw", store).skipped
        left = sorted(p.name for p in store.iterdir())
        assert left == [".lock", ".staging-gen-alive", "current", current.name]
    finally:
        alive.kill()
        alive.wait()


def test_only_the_current_and_the_previous_generation_are_kept(data):
    store = data / "processed"
    names = []
    for number in (9, 10, 11):
        _change_input(data, number)
        names.append(ingest(data / "raw", store).generation.name)
    gens = sorted(p.name for p in store.iterdir() if p.name.startswith("gen-"))
    assert gens == sorted(names[-2:])


def test_an_output_folder_that_is_a_file(tmp_path):
    write_mini_world(tmp_path / "raw")
    (tmp_path / "processed").write_text("not a folder", encoding="utf-8")
    with pytest.raises(OutputError) as caught:
        ingest(tmp_path / "raw", tmp_path / "processed")
    assert str(caught.value) == (
        f"{tmp_path / 'processed'} 不是目录 is not a folder: choose an output folder, then run "
        f"`jiesu ingest --data-dir {tmp_path}` again"
    )


def test_readers_refuse_a_partition_of_the_right_size_with_other_bytes(data):
    store = data / "processed"
    part = processed.generation(store) / "teams" / "community=甘露园南里二社区" / "part-0.parquet"
    size = part.stat().st_size
    part.unlink()
    part.write_bytes(b"x" * size)
    with pytest.raises(StoreError) as caught:
        processed.read_table(store, "teams")
    assert str(caught.value) == (
        f"{part} 无法读取 cannot be read as Parquet (ArrowInvalid): run `jiesu ingest --data-dir {data}` to rebuild it"
    )


def test_a_missing_raw_folder_creates_nothing(tmp_path):
    with pytest.raises(MissingDataError) as caught:
        ingest(tmp_path / "raw", tmp_path / "processed")
    assert str(caught.value) == (
        f"{tmp_path / 'raw'} 不存在 does not exist: run `jiesu simulate --out {tmp_path / 'raw'}` or put exports "
        "there (see data/raw/README.md)"
    )
    assert list(tmp_path.iterdir()) == []
