"""``jiesu simulate``: a data directory in, its raw/ written; errors name the command that fixes them."""

from __future__ import annotations

import pytest

from jiesu.cli import main


def test_out_is_a_data_directory_and_data_dir_is_its_alias(tmp_path, capsys):
    status = main(["simulate", "--preset", "small", "--data-dir", str(tmp_path / "world"), "--quiet"])
    assert status == 0
    assert (tmp_path / "world" / "raw" / "planted_truth.json").exists()
    out = capsys.readouterr().out
    assert f"下一步 next: jiesu ingest --data-dir {tmp_path / 'world'}\n" in out


def test_a_raw_folder_given_as_out_is_refused_with_the_right_command(tmp_path, capsys):
    status = main(["simulate", "--preset", "small", "--out", str(tmp_path / "data" / "raw"), "--quiet"])
    assert status == 1
    err = capsys.readouterr().err
    assert f"jiesu simulate --out {tmp_path / 'data'}" in err and len(err.strip().splitlines()) == 1


def test_real_exports_are_never_overwritten(tmp_path, capsys):
    raw = tmp_path / "data" / "raw"
    raw.mkdir(parents=True)
    (raw / "hotline_cases.xlsx").write_bytes(b"real data")
    status = main(["simulate", "--preset", "small", "--out", str(tmp_path / "data"), "--quiet"])
    assert status == 1
    assert (raw / "hotline_cases.xlsx").read_bytes() == b"real data"
    assert "jiesu simulate --out" in capsys.readouterr().err


def test_help_names_the_area_in_both_languages(capsys):
    assert main(["simulate", "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "--area" in text and "高碑店" in text and "every community" in text
    assert "--data-dir" in text and "DIR/raw" in text


def test_area_means_every_peer_of_the_area():
    from jiesu.world.simulate import peer_worlds

    assert peer_worlds(0, area=True) == 23 and peer_worlds(30, area=True) == 30
    assert peer_worlds(2) == 2
    with pytest.raises(ValueError):
        peer_worlds(-1)
