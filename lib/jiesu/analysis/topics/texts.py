"""Topics (and, with a time column, bursts) of any one column of Chinese text: the analysis behind
``jiesu topics``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from jiesu.analysis.early_warning.bursts import BurstParams, detect_bursts
from jiesu.analysis.topics.corpus import tokenize_frame, topic_tokenizer
from jiesu.analysis.topics.model import params_for_size, train_topic_model
from jiesu.categories import OTHER_LABEL, label_of
from jiesu.errors import JiesuError


def analyse_texts(
    frame: pd.DataFrame,
    *,
    text_col: str,
    times: pd.Series | None = None,
    k: int | str = "auto",
    seed: int = 0,
    progress=None,
) -> dict:
    """Topics (and, with ``times``, bursts) of one column of Chinese text.

    ``times``: the time of each row (datetime64, aligned with ``frame``; missing = unknown), or None.

    Formal boilerplate (您好, 尊敬的领导, 此致敬礼 …) is stripped before tokenizing.  Input rows are
    numbered as in the file (``row`` = 1-based data row, header excluded).

    Returns ``{"topics": DataFrame(topic, label, top_words, coherence, share), "doc_topics":
    DataFrame(row, topic, weight), "bursts": DataFrame or None, "k", "documents", "coherence_by_k",
    "skipped_times"}``.
    """
    note = progress or (lambda step: None)
    tokenizer = topic_tokenizer(strip_boilerplate=True)
    note("tokenize")
    docs = tokenize_frame(
        frame.assign(_row=np.arange(1, len(frame) + 1)), id_col="_row", text_col=text_col, tokenizer=tokenizer
    )
    token_lists = [t.split(" ") if t else [] for t in docs["tokens"]]
    usable = [t for t in token_lists if len(t) >= 3]
    if len(usable) < 20:
        raise JiesuError(f"列 column '{text_col}': only {len(usable)} rows have ≥ 3 words; need at least 20")
    params = params_for_size(len(usable), k=k, seed=seed)
    model = train_topic_model(usable, params, progress=note)
    note("inference")
    theta = model.infer(token_lists)
    has_word = theta.sum(axis=1) > 0
    doc_topics = pd.DataFrame(
        {
            "row": np.arange(1, len(frame) + 1),
            "topic": np.where(has_word, theta.argmax(axis=1), -1),
            "weight": np.where(has_word, theta.max(axis=1), 0.0).round(4),
        }
    )
    topics = model.topics.copy()
    topics["share"] = (theta[has_word].mean(axis=0) if has_word.any() else np.zeros(model.k)).round(4)
    topics = topics[["topic", "label", "top_words", "coherence", "share"]]
    bursts, skipped = None, 0
    if times is not None:
        times = pd.Series(pd.to_datetime(times).to_numpy(), name="time")
        skipped = int(times.isna().sum())
        timed = docs.assign(day=times.dt.normalize().to_numpy()).loc[
            times.notna().to_numpy() & (docs["tokens"] != "")
        ]
        note("bursts")
        total = len(timed)
        found = detect_bursts(timed, BurstParams(min_total=int(min(20, max(5, total // 500))), min_count=3))
        bursts = found["bursts"].assign(label=lambda b: b["category"].map(_label_or_other))
        bursts = bursts[
            ["burst", "term", "terms", "onset", "peak", "end", "count", "baseline", "score", "label"]
        ]
    return {
        "topics": topics,
        "doc_topics": doc_topics,
        "bursts": bursts,
        "k": model.k,
        "documents": len(usable),
        "coherence_by_k": model.coherence_by_k,
        "skipped_times": skipped,
    }


def _label_or_other(code: str) -> str:

    try:
        return label_of(code)
    except KeyError:
        return OTHER_LABEL
