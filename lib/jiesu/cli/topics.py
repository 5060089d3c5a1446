"""``jiesu topics``: topics (and bursts) of any column of Chinese text, e.g. a message-board export."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from tqdm import tqdm

from jiesu.cli import app


@app.command(
    "topics", help="任意中文文本列的话题与突发词 / Topics (and bursts) of any column of Chinese text."
)
@click.argument("input_file", metavar="INPUT.(csv|xlsx)", type=click.Path(dir_okay=False))
@click.option("--text-col", required=True, help="文本列名 / name of the text column")
@click.option(
    "--time-col",
    default=None,
    help="时间列名（给出则写出 hot_issues.csv 与 bursts.csv）/ time column (writes hot_issues.csv and bursts.csv)",
)
@click.option(
    "--k",
    "k",
    default="auto",
    show_default=True,
    help="话题数，最好等于已知类别数；auto = 14（文本少时更少）/ number of topics, best the number of "
    "known classes; auto = 14 (fewer for small files)",
)
@click.option("--seed", default=0, show_default=True, type=int, help="随机种子 / random seed")
@click.option(
    "--method",
    type=click.Choice(["consensus", "gensim"]),
    default="consensus",
    show_default=True,
    help="consensus = 10 次吉布斯 LDA 的共识（默认）；gensim = gensim LdaModel / consensus of 10 Gibbs LDA "
    "runs (default) or gensim LdaModel",
)
@click.option(
    "--lexicon",
    default="none",
    show_default=True,
    help="none | 12345 | 词表文件 FILE（每行“类别: 词1 词2”）：给话题贴类别并作种子 / label and seed topics "
    "with a lexicon (12345 categories or a file of 'category: word word' lines)",
)
@click.option(
    "--stopwords",
    "stopwords",
    multiple=True,
    type=click.Path(dir_okay=False),
    help="再加一个停用词表（每行一词，可重复）/ another stopword list (one word a line; repeatable)",
)
@click.option(
    "--out", "out_dir", required=True, type=click.Path(file_okay=False), help="输出目录 / output directory"
)
def topics_command(
    input_file: str,
    text_col: str,
    time_col: str | None,
    k: str,
    seed: int,
    method: str,
    lexicon: str,
    stopwords: tuple[str, ...],
    out_dir: str,
) -> None:
    # lazy: this command's libraries load only when it runs, so `jiesu --help` stays fast
    from jiesu.byod.hot_issues import run_hot_issues
    from jiesu.byod.topics import run_on_table
    from jiesu.errors import JiesuError

    if k != "auto" and not (k.isdigit() and int(k) >= 2):
        raise JiesuError(f"--k 必须是 ≥2 的整数或 auto / --k must be an integer ≥ 2 or 'auto', got {k!r}")
    bars: list[tqdm] = []

    def progress(step: str) -> None:
        # the bar appears only once the input has been read, so input errors stay one line
        if not bars:
            bars.append(tqdm(total=None, file=sys.stderr, bar_format="{desc} [{elapsed}]"))
        bars[0].set_description_str(f"jiesu topics: {step}")

    # hot issues first: a time column that does not parse is refused before the topic model runs
    hot = (
        run_hot_issues(Path(input_file), text_col=text_col, time_col=time_col, out_dir=Path(out_dir))
        if time_col
        else None
    )
    try:
        result = run_on_table(
            Path(input_file),
            text_col=text_col,
            time_col=None,
            k="auto" if k == "auto" else int(k),
            seed=seed,
            out_dir=Path(out_dir),
            method=method,
            lexicon=lexicon,
            stopwords=tuple(Path(p) for p in stopwords),
            progress=progress,
        )
    finally:
        for bar in bars:
            bar.close()
    bursts = f", {hot['hot_issues']} hot issues, {hot['bursts']} bursts" if hot is not None else ""
    click.echo(
        f"topics: {result['documents']} documents → {result['k']} topics{bursts}; wrote {result['out_dir']}"
    )
