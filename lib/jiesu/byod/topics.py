"""``jiesu topics`` on any CSV/XLSX: read the export, analyse one text column, write the outputs."""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd

from jiesu.analysis.topics.texts import analyse_texts
from jiesu.errors import DataError
from jiesu.ingest.normalize import parse_dates
from jiesu.ingest.readers import read_raw
from jiesu.storage import write_csv, write_text


def summary_html(result: dict, *, title: str) -> str:
    """A small self-contained HTML page (no scripts) summarising :func:`analyse_texts`."""

    def table(frame: pd.DataFrame) -> str:
        return frame.to_html(index=False, border=0, classes="t", escape=True, na_rep="")

    topics = result["topics"]
    bars = "".join(
        f"<div class='bar'><span class='lab'>{int(r.topic)} {html.escape(str(r.label))}</span>"
        f"<span class='fill' style='width:{max(1.0, 100 * float(r.share)):.1f}%'></span>"
        f"<span class='num'>{float(r.share):.1%}</span></div>"
        for r in topics.sort_values("share", ascending=False).itertuples()
    )
    ks = ", ".join(f"K={k}: {v:.3f}" for k, v in sorted(result["coherence_by_k"].items()))
    parts = [
        "<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'>",
        f"<title>{html.escape(title)}</title><style>",
        "body{font-family:'WenQuanYi Micro Hei','Noto Sans CJK SC','Microsoft YaHei',sans-serif;margin:2em;}",
        ".t{border-collapse:collapse;font-size:13px}.t td,.t th{padding:3px 8px;border-bottom:1px solid #ddd}",
        ".bar{display:flex;align-items:center;margin:2px 0}.lab{width:12em}.fill{background:#1f6fb2;height:12px}",
        ".num{margin-left:6px;font-size:12px}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
        f"<p>{result['documents']} 条文本 documents, {result['k']} 个话题 topics (c_v coherence: {ks}).</p>",
        "<h2>话题占比 Topic shares</h2>",
        bars,
        "<h2>话题 Topics</h2>",
        table(topics),
    ]
    if result["bursts"] is not None:
        parts += [
            "<h2>突发词 Bursts</h2>",
            table(result["bursts"]) if len(result["bursts"]) else "<p>无 none</p>",
        ]
    parts.append("</body></html>")
    return "\n".join(parts)


def _times(raw, time_col: str) -> pd.Series:
    """The parsed time column; one clear error when it is empty or when no value in it parses."""
    cells = raw.frame[time_col]
    present = cells.map(lambda v: v is not None and str(v).strip() != "")
    if not present.any():
        raise DataError(
            raw.name,
            "时间列全为空 the time column is empty in every row: fill it in, or leave out --time-col",
            column=time_col,
            rows=[raw.header_line],
        )
    times = parse_dates(cells)
    if times.isna().all():
        first = [raw.file_row(i) for i in range(len(cells)) if present.iloc[i]][:5]
        example = str(cells[present].iloc[0])[:40]
        raise DataError(
            raw.name,
            f"无法解析任何时间 no time value could be parsed (e.g. '{example}'; expected 2020-09-27 13:14, "
            "2020/9/27 or 2020年9月27日)",
            column=time_col,
            rows=first,
        )
    return times


def run_on_table(
    path: Path, *, text_col: str, time_col: str | None, k: int | str, seed: int, out_dir: Path, progress=None
) -> dict:
    """``jiesu topics``: read a CSV/XLSX export, analyse one text column, write the outputs to ``out_dir``
    (``topics.csv``, ``doc_topics.csv``, ``bursts.csv`` with a time column, ``summary.html``)."""

    raw = read_raw(path, headers=[c for c in (text_col, time_col) if c])
    frame = raw.frame
    for col in (text_col, time_col):
        if col and col not in frame.columns:
            raise DataError(
                raw.name,
                f"没有这一列 no such column; columns are: {', '.join(map(str, frame.columns))}",
                column=col,
            )
    frame = frame.assign(**{text_col: frame[text_col].map(lambda v: "" if v is None else str(v))})
    times = _times(raw, time_col) if time_col else None
    result = analyse_texts(frame, text_col=text_col, times=times, k=k, seed=seed, progress=progress)
    result["doc_topics"]["row"] = [raw.file_row(i) for i in range(len(frame))]  # as Excel shows it
    write_csv(out_dir / "topics.csv", result["topics"])
    write_csv(out_dir / "doc_topics.csv", result["doc_topics"])
    if result["bursts"] is not None:
        write_csv(out_dir / "bursts.csv", result["bursts"])
    write_text(out_dir / "summary.html", summary_html(result, title=f"{path.name} · {text_col}"))
    return {
        **result,
        "out_dir": out_dir,
        "bursts": None if result["bursts"] is None else len(result["bursts"]),
    }
