"""``jiesu topics`` on any CSV/XLSX: read the export (and any stopword or lexicon files), analyse one
text column, write the outputs."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pandas as pd

from jiesu.analysis.topics.labels import Lexicon
from jiesu.analysis.topics.texts import analyse_texts
from jiesu.errors import DataError
from jiesu.ingest.normalize import parse_dates
from jiesu.ingest.readers import read_raw
from jiesu.storage import write_csv, write_text

LEXICON_CHOICES = ("none", "12345")
_LEXICON_LINE = re.compile(r"^\s*([^:：\t]+?)\s*[:：\t]\s*(.+?)\s*$")


def _read_lines(path: Path, option: str) -> list[str]:
    """Lines of a small text file (UTF-8 with or without BOM, else GB18030), ``#`` comments and blank
    lines dropped."""
    if not path.is_file():
        raise DataError(path, f"{option}: 文件不存在 file not found")
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise DataError(
            path, f"{option}: 无法识别编码（应为 UTF-8 或 GB18030）cannot decode (expected UTF-8 or GB18030)"
        )
    return [line.split("#", 1)[0].strip() for line in text.splitlines()]


def read_stopwords(path: Path) -> frozenset[str]:
    """A stopword file for ``--stopwords``: one word per line (the goto456 lists' format)."""
    words = frozenset(w for w in _read_lines(Path(path), "--stopwords") if w)
    if not words:
        raise DataError(path, "--stopwords: 文件中没有词 the file holds no word")
    return words


def read_lexicon(spec: str) -> Lexicon | None:
    """``--lexicon``: ``none`` (no lexicon), ``12345`` (the 12345 categories of :mod:`jiesu.categories`),
    or a file with one category a line, ``名称: 词1 词2 …`` (a ``:``, ``：`` or tab after the name; words
    separated by spaces, commas or 、)."""
    if spec == "none":
        return None
    if spec == "12345":
        return Lexicon.categories()
    path = Path(spec)
    lists: dict[str, list[str]] = {}
    for number, line in enumerate(_read_lines(path, "--lexicon"), start=1):
        if not line:
            continue
        match = _LEXICON_LINE.match(line)
        words = re.split(r"[\s,，、]+", match.group(2)) if match else []
        if not match or not any(words):
            raise DataError(
                path,
                "--lexicon: 每行应为“类别: 词1 词2 …” each line must be 'category: word word …'",
                rows=[number],
            )
        lists.setdefault(match.group(1), []).extend(w for w in words if w)
    if not lists:
        raise DataError(path, "--lexicon: 文件中没有类别 the file holds no category")
    return Lexicon.from_mapping(lists)


def _percent(value: float) -> str:
    return f"{100 * float(value):.1f}%"


def summary_html(result: dict, *, title: str) -> str:
    """A small self-contained HTML page (no scripts), in Chinese with English, summarising
    :func:`analyse_texts`: topics named by their phrases, shares as percentages."""
    topics = result["topics"].sort_values(["share", "topic"], ascending=[False, True])
    bars = "".join(
        f"<div class='bar'><span class='lab'>{html.escape(str(r.name))}</span>"
        f"<span class='fill' style='width:{max(1.0, 100 * float(r.share)):.1f}%'></span>"
        f"<span class='num'>{_percent(r.share)}</span></div>"
        for r in topics.itertuples()
    )
    shown = topics.assign(share=topics["share"].map(_percent)).rename(
        columns={
            "topic": "编号 topic",
            "name": "话题 topic (phrases)",
            "label": "类别 category",
            "share": "占比 share",
            "top_words": "代表词 top words",
        }
    )
    method = (
        "多次吉布斯 LDA 共识 consensus of Gibbs LDA runs" if result["method"] == "consensus" else "gensim LDA"
    )
    parts = [
        "<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'>",
        f"<title>{html.escape(title)}</title><style>",
        "body{font-family:'WenQuanYi Micro Hei','Noto Sans CJK SC','Microsoft YaHei',sans-serif;margin:2em;}",
        ".t{border-collapse:collapse;font-size:13px}.t td,.t th{padding:3px 8px;border-bottom:1px solid #ddd;text-align:left}",
        ".bar{display:flex;align-items:center;margin:2px 0}.lab{width:16em}.fill{background:#1f6fb2;height:12px}",
        ".num{margin-left:6px;font-size:12px}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
        f"<p>{result['documents']} 条有效文本 documents with words · {result['k']} 个话题 topics · "
        f"方法 method: {method}。</p>",
        "<p>占比 = 主话题为该话题的文本所占比例 share = documents whose main topic it is.</p>",
        "<h2>话题占比 Topic shares</h2>",
        bars,
        "<h2>话题 Topics</h2>",
        shown.to_html(index=False, border=0, classes="t", escape=True, na_rep=""),
    ]
    if result["bursts"] is not None:
        parts += [
            "<h2>突发词 Bursts</h2>",
            result["bursts"].to_html(index=False, border=0, classes="t", escape=True, na_rep="")
            if len(result["bursts"])
            else "<p>无 none</p>",
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
    path: Path,
    *,
    text_col: str,
    time_col: str | None,
    k: int | str,
    seed: int,
    out_dir: Path,
    method: str = "consensus",
    lexicon: str = "none",
    stopwords: tuple[Path, ...] = (),
    progress=None,
) -> dict:
    """``jiesu topics``: read a CSV/XLSX export, analyse one text column, write the outputs to ``out_dir``
    (``topics.csv``, ``doc_topics.csv``, ``bursts.csv`` with a time column, ``summary.html``).

    ``lexicon``: ``none``, ``12345`` or a lexicon file (:func:`read_lexicon`); ``stopwords``: stopword
    files added to stopwords-iso and the governance boilerplate (:func:`read_stopwords`)."""
    chosen = read_lexicon(lexicon)
    extra = [read_stopwords(Path(p)) for p in stopwords]
    if not path.exists():
        raise DataError(path, "文件不存在 file not found")
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
    result = analyse_texts(
        frame,
        text_col=text_col,
        times=times,
        k=k,
        seed=seed,
        method=method,
        lexicon=chosen,
        stopwords=extra,
        progress=progress,
    )
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
