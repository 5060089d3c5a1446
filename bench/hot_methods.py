"""Hot issues and prospective weekly bursts (未诉先办) — research prototype.

Pure functions: DataFrames in, DataFrames out, no I/O; the only randomness is none (every step is
deterministic).  The benchmark is ``bench/hot_quality.py``; the method, its parameters and the
measured results are in ``bench/hot_quality.md``.

Pipeline
--------
1. :func:`prepare` — normalise and segment each message (the library's batched rjieba segmenter with
   the governance user dictionary, formal boilerplate stripped), keep *content tokens* (≥ 2 characters,
   not a stopword, not governance filler, not a number/time/placeholder), add adjacent-token *bigrams*
   inside a clause, find *places* from a user dictionary of the area's places, and mark near-duplicates
   re-sent by the same sender (:func:`mark_resends`).  Only distinct messages are counted afterwards.
2. :class:`Vectors` — TF-IDF of tokens + bigrams (+ the place, weighted) with an IDF computed only from
   the 52 weeks up to the week being decided, so no decision sees the future.
3. :func:`week_clusters` — each week's distinct messages grouped by average-linkage agglomerative
   clustering on cosine distance; groups with enough distinct senders are candidate issues.
4. :func:`weekly_bursts` — for every week ``W`` (decision at the end of ``W``):
   * **issue test**: for each candidate group of ``W`` count, in ``W`` and in each earlier week, the
     distinct messages whose cosine to the group's centroid is at least ``count_sim`` (the members of
     the group are scored against the leave-one-out centroid so they get no advantage over the past);
   * **phrase test**: the distinct senders per week mentioning each content token / bigram / place;
   * both are tested with the same upper-tail test: the count of ``W`` against a Poisson–Gamma
     (negative-binomial) predictive distribution from a *trailing* baseline (weeks ``W-guard-L …
     W-guard-1``, offset by weekly message volume) and, when a year of history exists, the *same season*
     of last year (weeks ``W-52±2``); the larger expected count is used.  Alarm when ``p < alpha``, the
     count is at least ``min_count`` and at least ``min_ratio`` × the expected count;
   * alarms of one week that share messages become one burst; a burst that continues an open burst
     (shared title phrase or similar centroid within ``link_weeks``) is the same burst.  The onset is
     back-dated over at most ``lookback_weeks`` preceding weeks that were already elevated.
5. :func:`hot_issues` — the issues of the last ``window_weeks`` up to ``as_of``: title phrase, place,
   category, onset, weekly counts, heat, distinct examples, owner team.
6. :func:`watch_list` and :func:`check_watch_list` — the report's watch list and the properties it must
   have (no filler, categories whose words match, distinct examples).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import lru_cache

import numpy as np
import pandas as pd
from scipy import sparse

from jiesu.categories import BY_CODE, CATEGORIES, OTHER, OTHER_LABEL, TEAMS, label_of

DAY = pd.Timedelta(days=1)
WEEK = pd.Timedelta(days=7)

# --------------------------------------------------------------------------------------------------
# Vocabulary: filler, placeholders, category words
# --------------------------------------------------------------------------------------------------

GOVERNANCE_FILLER = frozenset(
    """
    领导 您好 你好 尊敬 希望 谢谢 感谢 请问 相关 部门 相关部门 情况 解决 市民 居民 业主 投诉 建议 咨询 麻烦
    回复 书记 市长 区长 反映 问题 目前 是否 已经 处理 严重 及时 尽快 协商 有限公司 公司 强烈建议 强烈 进去
    特别 不要 政府 单位 工作 相关单位 有关部门 有关 方面 人员 工作人员 时间 现在 今年 去年 明年 每天 一直 经常
    情况下 导致 造成 影响 存在 没有 不能 无法 可以 能否 能不能 需要 要求 进行 发现 出现 表示 认为 觉得 知道
    告知 答复 回应 落实 协调 沟通 联系 电话 打电话 拨打 热线 来电 留言 网友 本人 我们 他们 大家 自己 家里
    这里 那里 这边 附近 周边 地方 位置 地区 区域 当地 城市 全市 我市 本市 市里 区里 街道 社区 居委会 村委会
    小区 村民 群众 老百姓 百姓 生活 正常 安全 合理 合法 规定 政策 标准 管理 监管 整改 检查 执法 调查 核实
    帮助 帮忙 支持 关注 重视 考虑 研究 回答 说明 解释 办法 措施 方式 原因 结果 过程 事情 事件 一下 一些
    多次 几次 很多 许多 非常 十分 比较 越来越 根本 完全 真的 确实 实在 还是 但是 而且 并且 因为 所以 如果
    虽然 然后 之前 之后 以后 以来 期间 当时 近期 最近 日前 前期 后期 早上 晚上 中午 下午 上午 凌晨 半夜
    号楼 单元 楼栋 地址 位于 所在 全部 部分 其中 其他 其它 以及 等等 所有 任何 各种 有些 某些 这种 那种
    人民 国家 社会 北京 北京市 市委 市政府 区政府 主任 负责人 负责 公民 个人 单位 机关 政府部门 办事
    答复函 来信 信访 上访 诉求 权益 利益 保障 服务 办理 手续 材料 申请 提交 审核 审批 通知 文件 依据
    请求 恳请 呼吁 期待 盼望 给予 予以 加以 得到 受到 进一步 切实 有效 积极 认真 及早 尽早 立即 马上
    坏 里 占 七点 特 该 请 望 盼 急
    """.split()
)
"""Words that never name an issue: formal-letter boilerplate (measured top document frequencies of the
留言板 set: 领导 30.6 %, 您好 22.7 %, 希望 19.1 % …), generic governance nouns and verbs, the filler the
issue report found in today's bursts (协商, 有限公司, 强烈建议, 市长, 进去, 特别, 坏, 里, 占, 七点, 不要) and
vague place words (小区, 附近, 周边) that only name an issue together with a real place."""

_PLACEHOLDER = re.compile(
    r"\*|_|^[A-Za-z]{1,2}\d*[市区县镇乡村号楼路街]|^[xX某\d一二三四五六七八九十百]+[号楼层室栋期]|某"
)
_NUMERIC = re.compile(
    r"^[\d一二三四五六七八九十百千万两零〇几半多余\.]+[年月日号点分时天周个次元块岁楼层]?[多余半]?$"
)
_TIME_WORD = re.compile(r"(?:[\d一二三四五六七八九十两]+(?:点|点钟|点半|时|分|号|日|月|年|周|天))")
_HAN = re.compile(r"[\u4e00-\u9fff]")

# Category words: the lexicons of jiesu.categories plus the words a Beijing social worker would file
# under the same category on message-board text (the category lexicons were written for chat groups).
EXTRA_LEXICON: dict[str, tuple[str, ...]] = {
    "heating": ("供暖费", "热力", "暖气费", "供热"),
    "epidemic": ("核酸", "防疫", "健康宝", "封控", "阳性", "疫苗", "新冠", "管控"),
    "noise": ("噪声", "施工噪音", "夜间施工", "扰民"),
    "garbage": ("垃圾站", "垃圾箱", "垃圾车", "垃圾房"),
    "parking": ("充电桩", "停车场", "停车位", "车库"),
    "flood": ("漏雨",),
    "security": ("盗窃", "偷盗", "可疑"),
    "vendors": ("摊贩", "占道"),
}


@lru_cache(maxsize=1)
def category_lexicons() -> dict[str, tuple[str, ...]]:
    """Category code → its words (the library lexicon + :data:`EXTRA_LEXICON`)."""
    return {c.code: tuple(dict.fromkeys(c.lexicon + EXTRA_LEXICON.get(c.code, ()))) for c in CATEGORIES}


def _lexicon_pattern(words: Iterable[str]) -> re.Pattern:
    multi = sorted({w for w in words if len(w) > 1}, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, multi))) if multi else re.compile(r"(?!x)x")


@lru_cache(maxsize=1)
def _lexicon_patterns() -> dict[str, tuple[re.Pattern, frozenset[str]]]:
    """Per category: a pattern of its multi-character words (matched in the text) and its single
    characters (matched only as whole tokens: 灯 is lighting, 路灯坏了 is not 坏)."""
    return {
        code: (_lexicon_pattern(words), frozenset(w for w in words if len(w) == 1))
        for code, words in category_lexicons().items()
    }


@lru_cache(maxsize=1)
def default_filler() -> frozenset[str]:
    """Stopwords (the tokenizer's default list) ∪ :data:`GOVERNANCE_FILLER`."""
    from jiesu.text import default_stopwords

    return frozenset(default_stopwords()) | GOVERNANCE_FILLER


def is_content_token(token: str, filler: frozenset[str] | None = None) -> bool:
    """A token that can carry an issue: ≥ 2 characters with a Han character, not filler, not a number or
    time expression (七点, 2022年, 3号), not a placeholder (A市, X号, ``***``) and without ``_``."""
    filler = default_filler() if filler is None else filler
    return (
        len(token) >= 2
        and token not in filler
        and _HAN.search(token) is not None
        and _PLACEHOLDER.search(token) is None
        and _NUMERIC.match(token) is None
        and _TIME_WORD.fullmatch(token) is None
    )


# --------------------------------------------------------------------------------------------------
# Preparation: tokens, bigrams, places, re-sends
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Places:
    """A user dictionary of the area's places (e.g. from the registry: ``6号楼``, estate names).

    names : canonical place names.
    aliases : other spellings → canonical name (``6#`` → ``6号楼``).
    Names starting with a digit only match when not preceded by a digit (``6号楼`` is not in ``16号楼``).
    """

    names: tuple[str, ...] = ()
    aliases: tuple[tuple[str, str], ...] = ()

    def pattern(self) -> re.Pattern | None:
        spellings = set(self.names) | {a for a, _ in self.aliases}
        if not spellings:
            return None
        parts = []
        for s in sorted(spellings, key=len, reverse=True):
            lead = r"(?<![0-9])" if s[:1].isdigit() else ""
            tail = r"(?![0-9])" if s[-1:].isdigit() else ""
            parts.append(lead + re.escape(s) + tail)
        return re.compile("|".join(parts))

    def canonical(self) -> dict[str, str]:
        out = {n: n for n in self.names}
        out.update(dict(self.aliases))
        return out


@dataclass(frozen=True)
class HotParams:
    """Parameters of the method (defaults = the recommended setting; see ``bench/hot_quality.md``)."""

    # preparation
    resend_days: float = 30.0  # a same-sender message this close to an earlier one …
    resend_jaccard: float = 0.5  # … with this character-trigram Jaccard (or containment) is a re-send
    min_tokens: int = 2  # messages with fewer content tokens are not issue-like (收到, +1, 好的)
    place_weight: float = 2.0  # weight of the place feature in the TF-IDF vector
    idf_weeks: int = 52  # IDF from the weeks up to the decision week
    # clustering
    cluster_sim: float = 0.30  # average-linkage cut: merge while mean cosine ≥ this
    count_sim: float = 0.30  # a message belongs to an issue's count when cosine to its centroid ≥ this
    pull_sim: float = 0.5  # hot issues: other window messages this close to a seed's centroid join it
    max_cluster_docs: int = 3000  # per-week clustering input cap (the most issue-like first)
    # the test
    baseline_weeks: int = 12
    guard_weeks: int = 1
    min_history_weeks: int = 1
    season_weeks: int = 2  # half-width of the same-season window a year earlier
    spans: tuple[int, ...] = (1, 2)  # test this week alone and the last two weeks together
    prior_count: float = 0.5  # Gamma prior of the weekly rate: pseudo-count …
    prior_weeks: float = 1.0  # … over this many weeks of pseudo-history
    dispersion: float = 10.0  # extra-Poisson variance μ²/k of the weekly count (k), when not estimated
    estimate_dispersion: bool = True  # k pooled over anchors from the weeks before the decision
    min_size: float = 2.0
    alpha: float = 1e-4
    min_count: int = 4  # distinct senders in the week
    min_ratio: float = 3.0
    phrase_tests: bool = True
    issue_tests: bool = False  # TF-IDF clusters as burst candidates: found nothing the anchors missed
    phrase_min_count: int = 4
    phrase_alpha: float = 3e-6
    pair_keywords: int = 8  # pairs of a message's top keywords are anchors too (0 = none)
    pair_min_df: int = 5
    category_anchors: bool = False  # "[noise]": messages naming a category's words, wherever they are
    # bursts across weeks
    link_weeks: int = 3
    link_sim: float = 0.3
    lookback_weeks: int = 3
    onset_alpha: float = 0.01
    # seasonal onsets (see :func:`weekly_bursts`)
    suppress_seasonal_onsets: bool = False
    seasonal_onset_weeks: int = 3
    spread_places: int = 4
    # hot issues
    window_weeks: int = 4
    hot_alpha: float = 0.01  # a seed anchor's window count is above its previous 12 weeks at this level
    hot_max_df: float = 0.01  # … and a single word seeding an issue is in at most 1 % of messages
    examples: int = 3


def _segment_all(texts: list[str], tokenizer) -> list[list[str]]:
    """Raw segmentation (punctuation kept, as clause boundaries) of each normalized text, batched."""
    from jiesu.text import presplit

    normalized = [presplit(tokenizer.normalize(t)).replace("\n", " ") for t in texts]
    joined = "\n".join(normalized)
    pieces = tokenizer.engine.cut(joined, True)
    out, cur = [], []
    for p in pieces:
        if p == "\n":
            out.append(cur)
            cur = []
        elif "\n" in p:  # whitespace runs containing line breaks
            for _ in range(p.count("\n")):
                out.append(cur)
                cur = []
        else:
            cur.append(p)
    out.append(cur)
    if len(out) != len(texts):
        raise RuntimeError(f"segmentation lost alignment: {len(out)} ≠ {len(texts)}")
    return out


def _tokens_and_bigrams(pieces: list[str], filler: frozenset[str]) -> tuple[list[str], list[str]]:
    """Content tokens (in order) and bigrams of adjacent content tokens within a clause."""
    tokens, bigrams = [], []
    prev = None
    for p in pieces:
        if p.isspace() or not _HAN.search(p) and not p.isalnum():
            prev = None  # punctuation / space: clause boundary
            continue
        t = p.lower()
        if is_content_token(t, filler):
            tokens.append(t)
            if prev is not None:
                bigrams.append(prev + t)
            prev = t
        elif t in filler and len(t) >= 2:
            prev = None
        # a single character or number between two content words keeps them adjacent only if it is
        # part of the name (号, 路); otherwise it ends the pair
        else:
            prev = None
    return tokens, bigrams


def _singles(pieces: list[str]) -> frozenset[str]:
    return frozenset(p for p in pieces if len(p) == 1 and _HAN.match(p))


def _trigrams(text: str) -> set[str]:
    s = re.sub(r"\s+", "", text)
    return {s[i : i + 3] for i in range(max(len(s) - 2, 1))}


def mark_resends(docs: pd.DataFrame, *, days: float = 30.0, jaccard: float = 0.5) -> pd.Series:
    """``msg_id`` of the earlier message each message re-sends (same sender, within ``days``, character
    trigram Jaccard ≥ ``jaccard`` or one text containing the other), else ``""``.  Needs ``msg_id``,
    ``sender_id``, ``sent_at``, ``norm`` (normalized text)."""
    dup = pd.Series("", index=docs.index, dtype=object)
    multi = docs["sender_id"].duplicated(keep=False)
    window = pd.Timedelta(days=days)
    for _, grp in docs.loc[multi].sort_values("sent_at", kind="stable").groupby("sender_id", sort=False):
        kept: list[tuple[pd.Timestamp, str, str, set[str]]] = []
        for idx, row in zip(grp.index, grp.itertuples(index=False), strict=True):
            grams = _trigrams(row.norm)
            for at, mid, text, g in kept:
                if row.sent_at - at > window:
                    continue
                inter = len(grams & g)
                union = len(grams | g) or 1
                if (
                    inter / union >= jaccard
                    or (len(text) >= 10 and text in row.norm)
                    or (len(row.norm) >= 10 and row.norm in text)
                ):
                    dup.loc[idx] = mid
                    break
            else:
                kept.append((row.sent_at, row.msg_id, row.norm, grams))
    return dup


def prepare(
    messages: pd.DataFrame,
    *,
    places: Places | None = None,
    params: HotParams = HotParams(),
    tokenizer=None,
    filler: frozenset[str] | None = None,
) -> pd.DataFrame:
    """Issue-ready documents from messages.

    ``messages`` needs ``msg_id``, ``sent_at``, ``text``, ``sender_id``; optional: ``is_staff`` (staff
    messages are dropped), ``msg_type`` (only 文本 kept), ``likes``, ``place`` (a known place per
    message, used when the text names none).

    Returns one row per kept message: ``msg_id``, ``sent_at``, ``day``, ``sender_id``, ``text``, ``norm``,
    ``tokens`` (list), ``bigrams`` (list), ``singles`` (set of one-character segments, for one-character
    category words such as 灯), ``place`` (canonical place or ""), ``likes``, ``resend_of``
    (msg_id or ""), ``issue_like`` (≥ ``min_tokens`` content tokens and not a re-send).
    """
    from jiesu.text import Tokenizer

    frame = messages
    if "is_staff" in frame.columns:
        frame = frame.loc[~frame["is_staff"].fillna(False).astype(bool)]
    if "msg_type" in frame.columns:
        frame = frame.loc[frame["msg_type"].astype(str) == "文本"]
    frame = frame.loc[frame["text"].notna()].copy()
    frame["text"] = frame["text"].astype(str)
    places = places or Places()
    user = [(n, 50_000, "ns") for n in places.names] + [(a, 50_000, "ns") for a, _ in places.aliases]
    tokenizer = tokenizer or Tokenizer("rjieba", user_dict=user, strip_boilerplate=True)
    filler = default_filler() if filler is None else filler
    texts = frame["text"].tolist()
    pieces = _segment_all(texts, tokenizer)
    toks, bis = zip(*(_tokens_and_bigrams(p, filler) for p in pieces), strict=True) if texts else ((), ())
    singles = [_singles(p) for p in pieces]
    norm = [tokenizer.normalize(t) for t in texts]
    found = [""] * len(texts)
    pat = places.pattern()
    if pat is not None:
        canon = places.canonical()
        found = [canon.get(m.group(0), m.group(0)) if (m := pat.search(t)) else "" for t in norm]
    if "place" in frame.columns:
        given = frame["place"].fillna("").astype(str).tolist()
        found = [f or g for f, g in zip(found, given, strict=True)]
    place_names = set(places.names) | {a for a, _ in places.aliases}
    toks = [[t for t in ts if t not in place_names] for ts in toks]
    docs = pd.DataFrame(
        {
            "msg_id": frame["msg_id"].astype(str).to_numpy(),
            "sent_at": pd.to_datetime(frame["sent_at"]).to_numpy(),
            "sender_id": frame["sender_id"].astype(str).to_numpy(),
            "text": texts,
            "norm": norm,
            "tokens": list(toks),
            "bigrams": list(bis),
            "singles": singles,
            "place": found,
            "likes": pd.to_numeric(frame["likes"], errors="coerce").fillna(0).to_numpy()
            if "likes" in frame.columns
            else 0.0,
        }
    )
    docs["day"] = docs["sent_at"].dt.normalize()
    docs = docs.sort_values(["sent_at", "msg_id"], kind="stable").reset_index(drop=True)
    docs["resend_of"] = mark_resends(docs, days=params.resend_days, jaccard=params.resend_jaccard)
    docs["issue_like"] = (docs["tokens"].map(len) >= params.min_tokens) & (docs["resend_of"] == "")
    return docs


# --------------------------------------------------------------------------------------------------
# Weeks and vectors
# --------------------------------------------------------------------------------------------------


def week_origin(days: pd.Series | pd.DatetimeIndex) -> pd.Timestamp:
    """The Monday on or before the earliest day (weeks run Monday–Sunday; a decision is taken on Sunday)."""
    first = pd.Timestamp(pd.Series(days).min()).normalize()
    return first - pd.Timedelta(days=first.day_of_week)


def week_end(origin: pd.Timestamp, week: int) -> pd.Timestamp:
    return origin + pd.Timedelta(days=7 * int(week) + 6)


class Vectors:
    """TF-IDF vectors of prepared documents with a *past-only* IDF.

    Features: content tokens, bigrams, and the place (``@`` + name, weight ``place_weight``); term
    frequency is sublinear (1 + log tf).  :meth:`matrix` gives rows for chosen documents with the IDF of
    the ``idf_weeks`` weeks ending with a given week, L2-normalized: the vectors used for a decision at
    the end of week ``W`` depend only on documents up to ``W``.
    """

    def __init__(
        self, docs: pd.DataFrame, params: HotParams = HotParams(), origin: pd.Timestamp | None = None
    ):
        self.params = params
        self.origin = origin if origin is not None else week_origin(docs["day"])
        self.week = ((docs["day"] - self.origin).dt.days // 7).to_numpy()
        self.n_weeks = int(self.week.max()) + 1 if len(docs) else 0
        vocab: dict[str, int] = {}
        indptr, indices, data = [0], [], []
        for toks, bis, place in zip(docs["tokens"], docs["bigrams"], docs["place"], strict=True):
            counts: dict[int, float] = {}
            for f in list(toks) + list(bis):
                j = vocab.setdefault(f, len(vocab))
                counts[j] = counts.get(j, 0.0) + 1.0
            if place:
                j = vocab.setdefault("@" + place, len(vocab))
                counts[j] = counts.get(j, 0.0) + params.place_weight  # before the log
            indices.extend(counts.keys())
            data.extend(1.0 + math.log(v) if v >= 1 else v for v in counts.values())
            indptr.append(len(indices))
        self.vocab = vocab
        self.features = np.array(list(vocab), dtype=object)
        self.tf = sparse.csr_matrix(
            (np.asarray(data, dtype=np.float64), np.asarray(indices, dtype=np.int64), np.asarray(indptr)),
            shape=(len(docs), len(vocab)),
        )
        usable = docs["issue_like"].to_numpy()
        presence = self.tf.copy()
        presence.data[:] = 1.0
        week_rows = sparse.csr_matrix(
            (np.ones(int(usable.sum())), (self.week[usable], np.flatnonzero(usable))),
            shape=(self.n_weeks, len(docs)),
        )
        self.df_week = (week_rows @ presence).tocsr()  # weeks × features: issue-like docs containing it
        self.docs_week = np.bincount(self.week[usable], minlength=self.n_weeks).astype(np.float64)
        self._idf_cache: dict[int, np.ndarray] = {}

    def idf(self, week: int) -> np.ndarray:
        if week not in self._idf_cache:
            lo = max(0, week - self.params.idf_weeks + 1)
            df = np.asarray(self.df_week[lo : week + 1].sum(axis=0)).ravel()
            n = self.docs_week[lo : week + 1].sum()
            self._idf_cache = {week: np.log((n + 1.0) / (df + 1.0)) + 1.0}
        return self._idf_cache[week]

    def df_share(self, week: int) -> np.ndarray:
        """Share of issue-like documents of the ``idf_weeks`` weeks up to ``week`` containing each feature."""
        lo = max(0, week - self.params.idf_weeks + 1)
        df = np.asarray(self.df_week[lo : week + 1].sum(axis=0)).ravel()
        return df / max(self.docs_week[lo : week + 1].sum(), 1.0)

    def matrix(self, rows: np.ndarray, week: int) -> sparse.csr_matrix:
        x = self.tf[rows].multiply(self.idf(week)[None, :]).tocsr()
        norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        return sparse.diags(1.0 / norms) @ x


# --------------------------------------------------------------------------------------------------
# The upper-tail test
# --------------------------------------------------------------------------------------------------


def predictive_pvalue(
    y: np.ndarray,
    hist_count: np.ndarray,
    hist_exposure: np.ndarray,
    *,
    prior_count: float,
    prior_weeks: float,
    dispersion: float,
    min_size: float = 0.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Upper-tail p-value ``P(Y ≥ y)`` and expected count under the Poisson–Gamma predictive.

    The weekly rate λ (per unit of current-week volume) has a Gamma(``prior_count``, ``prior_weeks``)
    prior; after ``hist_count`` events over ``hist_exposure`` (baseline weeks, each weighted by its
    message volume relative to the tested week) the posterior is Gamma(a = prior_count + hist_count,
    b = prior_weeks + hist_exposure) and ``Y`` is negative binomial with mean μ = a / b.  Extra-Poisson
    week-to-week variation (``dispersion`` = k, Var += μ²/k) is added by shrinking the size:
    1/size = 1/max(a, min_size) + 1/k.  ``min_size`` caps the rate uncertainty of anchors seen (almost)
    never: with a = 0.5 the predictive says an anchor absent for 12 weeks still has a 2 % chance of a
    rate above 0.2 a week, which for word pairs and place–word pairs is far too generous (measured:
    ``bench/hot_quality.md``).  This is the predictive form of the quasi-Poisson/negative-binomial thresholds of
    the Farrington family (Farrington et al. 1996; Noufaily et al. 2013) for short, sparse baselines.
    """
    from scipy import stats

    a = prior_count + np.asarray(hist_count, dtype=np.float64)
    b = prior_weeks + np.asarray(hist_exposure, dtype=np.float64)
    mu = a / b
    inv = 1.0 / np.maximum(a, min_size) + (0.0 if not np.isfinite(dispersion) else 1.0 / dispersion)
    size = 1.0 / inv
    p = stats.nbinom.sf(np.asarray(y) - 1, size, size / (size + mu))
    return p, mu


def _baseline_windows(
    week: int, params: HotParams, n_weeks: int, span: int = 1
) -> tuple[np.ndarray, np.ndarray]:
    """Trailing baseline weeks and same-season weeks (a year earlier) for a decision on ``week`` about
    the ``span`` weeks ending with it: the trailing window ends ``guard_weeks`` before the tested weeks."""
    first = week - span + 1
    # the guard week keeps a slow start out of its own baseline; with under 4 weeks of history it would
    # cost too much of it
    hi = first - (params.guard_weeks if first - params.guard_weeks >= 4 else 0)  # exclusive
    lo = max(0, hi - params.baseline_weeks)
    trailing = np.arange(lo, max(hi, lo))
    c = week - 52
    season = np.arange(c - params.season_weeks - span + 1, c + params.season_weeks + 1)
    season = (
        season[(season >= 0) & (season < n_weeks)]
        if c - params.season_weeks - span + 1 >= 0
        else np.array([], int)
    )
    return trailing, season


def weekly_test(
    counts: np.ndarray,
    volume: np.ndarray,
    week: int,
    params: HotParams,
    *,
    alpha: float,
    min_count: int,
    span: int = 1,
    dispersion: float | None = None,
) -> dict:
    """Test the counts of the ``span`` weeks ending with ``week`` (one column per series) against the
    trailing and same-season baselines (only rows ≤ ``week`` are read).

    ``counts``: weeks × series (distinct senders per week); ``volume``: issue-like messages per week
    (the offset: expected counts scale with the tested weeks' volume).  The same-season expectation is
    used when it is larger.  Returns ``y``, ``expected``, ``p``, ``alarm`` (per series) and ``tested``
    (False when the history is shorter than ``min_history_weeks``)."""
    counts = np.asarray(counts, dtype=np.float64)
    tested_weeks = np.arange(week - span + 1, week + 1)
    if tested_weeks[0] < 0:
        z = np.zeros(counts.shape[1])
        return {"y": z, "expected": z, "p": np.ones_like(z), "alarm": z.astype(bool), "tested": False}
    y = counts[tested_weeks].sum(axis=0)
    trailing, season = _baseline_windows(week, params, counts.shape[0], span)
    cur = volume[tested_weeks].sum()
    if len(trailing) < params.min_history_weeks or cur <= 0:
        z = np.zeros_like(y)
        return {"y": y, "expected": z, "p": np.ones_like(y), "alarm": z.astype(bool), "tested": False}
    s1 = counts[trailing].sum(axis=0)
    e1 = volume[trailing].sum() / cur
    k = params.dispersion if dispersion is None else dispersion
    p, mu = predictive_pvalue(
        y,
        s1,
        np.full_like(y, e1),
        prior_count=params.prior_count,
        prior_weeks=params.prior_weeks,
        dispersion=k,
        min_size=params.min_size,
    )
    if len(season) and volume[season].sum() > 0:
        # the season window holds len(season) weeks; in units of the tested span's volume
        s2 = counts[season].sum(axis=0)
        e2 = volume[season].sum() / cur
        p2, mu2 = predictive_pvalue(
            y,
            s2,
            np.full_like(y, e2),
            prior_count=params.prior_count,
            prior_weeks=params.prior_weeks,
            dispersion=k,
            min_size=params.min_size,
        )
        use = mu2 > mu
        p, mu = np.where(use, p2, p), np.where(use, mu2, mu)
    alarm = (p < alpha) & (y >= min_count) & (y >= params.min_ratio * mu)
    return {"y": y, "expected": mu, "p": p, "alarm": alarm, "tested": True}


def span_tests(
    counts: np.ndarray,
    volume: np.ndarray,
    week: int,
    params: HotParams,
    *,
    alpha: float,
    min_count: int,
    dispersion: float | None = None,
) -> dict:
    """:func:`weekly_test` over every span in ``params.spans`` (1 = this week, 2 = the last two weeks …),
    each at level ``alpha / len(spans)`` with minimum count ``min_count`` + 2·(span−1); per series the
    span with the smallest p-value among those that alarm (else the smallest p-value overall)."""
    best = None
    for span in params.spans:
        r = weekly_test(
            counts,
            volume,
            week,
            params,
            alpha=alpha / len(params.spans),
            min_count=min_count + 2 * (span - 1),
            span=span,
            dispersion=dispersion,
        )
        if not r["tested"]:
            continue
        r["span"] = np.full(len(r["y"]), span)
        if best is None:
            best = r
            continue
        better = (r["alarm"] & ~best["alarm"]) | ((r["alarm"] == best["alarm"]) & (r["p"] < best["p"]))
        for k in ("y", "expected", "p", "alarm", "span"):
            best[k] = np.where(better, r[k], best[k])
    if best is None:
        z = np.zeros(np.asarray(counts).shape[1])
        return {
            "y": z,
            "expected": z,
            "p": np.ones_like(z),
            "alarm": z.astype(bool),
            "tested": False,
            "span": np.ones_like(z, dtype=int),
        }
    return best


# --------------------------------------------------------------------------------------------------
# Grouping messages
# --------------------------------------------------------------------------------------------------


def cluster_rows(x: sparse.csr_matrix, sim: float) -> np.ndarray:
    """Average-linkage agglomerative clustering of L2-normalized rows on cosine distance, cut where the
    mean pairwise cosine of merged groups falls below ``sim``.  Returns a label per row (0-based)."""
    from scipy.cluster.hierarchy import fcluster, linkage

    n = x.shape[0]
    if n == 0:
        return np.zeros(0, dtype=int)
    if n == 1:
        return np.zeros(1, dtype=int)
    s = (x @ x.T).toarray()
    d = np.clip(1.0 - s, 0.0, 2.0)
    iu = np.triu_indices(n, 1)
    z = linkage(d[iu], method="average")
    return fcluster(z, t=1.0 - sim, criterion="distance") - 1


def centroid(x: sparse.csr_matrix) -> np.ndarray:
    c = np.asarray(x.mean(axis=0)).ravel()
    norm = np.linalg.norm(c)
    return c / norm if norm > 0 else c


@dataclass
class Candidate:
    """A group of one week's messages that may be an issue (from the issue or the phrase test)."""

    week: int
    rows: np.ndarray  # document rows (members in the week)
    center: np.ndarray  # L2-normalized centroid (IDF of the week)
    y: float = 0.0
    expected: float = 0.0
    p: float = 1.0
    via: str = "issue"  # "issue" | "phrase"
    phrases: tuple[str, ...] = ()
    weekly: dict[int, int] = field(default_factory=dict)  # week → distinct senders similar to the centroid
    hits: np.ndarray = field(default_factory=lambda: np.zeros(0, int))  # rows similar to the centroid
    alarm: bool = False
    span: int = 1  # weeks summed by the test that alarmed


def _distinct_senders(rows: np.ndarray, senders: np.ndarray) -> int:
    return len(set(senders[rows])) if len(rows) else 0


class Detector:
    """Everything :func:`weekly_bursts` and :func:`hot_issues` compute on a prepared corpus: vectors,
    weekly volumes, the phrase × week matrix, per-week candidate groups and their similarity counts."""

    def __init__(self, docs: pd.DataFrame, params: HotParams = HotParams(), *, tokenizer=None):
        self.docs = docs.reset_index(drop=True)
        self.params = params
        self.vec = Vectors(self.docs, params)
        self.week = self.vec.week
        self.n_weeks = self.vec.n_weeks
        self.usable = self.docs["issue_like"].to_numpy()
        self.senders = self.docs["sender_id"].to_numpy()
        self.volume = self.vec.docs_week
        self.rows_of_week = [np.flatnonzero((self.week == w) & self.usable) for w in range(self.n_weeks)]
        self._phrases = None
        self._tokenizer = tokenizer

    def dispersion_at(self, week: int) -> float:
        """Pooled negative-binomial k of weekly anchor counts, from weeks before ``week`` only: method of
        moments over (week, anchor) pairs whose expected count (the larger of the trailing 12-week and the
        same-season mean, volume-adjusted) is at least 1,
        1/k = Σ((y − μ)² − μ) / Σ μ², squared residuals capped at their 99th percentile; clipped to
        [2, 1000].  ``params.dispersion`` when not estimated or too little history."""
        p = self.params
        if not p.estimate_dispersion:
            return p.dispersion
        if getattr(self, "_disp", None) is None:
            mat = self.phrase_matrix()[0]
            vol = self.volume
            num = np.zeros(self.n_weeks)
            den = np.zeros(self.n_weeks)
            csum = np.vstack([np.zeros((1, mat.shape[1])), np.cumsum(mat, axis=0)])
            vsum = np.concatenate([[0.0], np.cumsum(vol)])
            L = p.baseline_weeks
            h = p.season_weeks
            for w in range(L, self.n_weeks):
                if vol[w] <= 0:
                    continue
                mu = (csum[w] - csum[w - L]) / max(vsum[w] - vsum[w - L], 1.0) * vol[w]
                if w - 52 - h >= 0:  # the same expectation the test uses: the larger of trailing and season
                    lo, hi = w - 52 - h, w - 52 + h + 1
                    mu = np.maximum(mu, (csum[hi] - csum[lo]) / max(vsum[hi] - vsum[lo], 1.0) * vol[w])
                ok = mu >= 1.0
                if not ok.any():
                    continue
                r2 = (mat[w, ok] - mu[ok]) ** 2
                r2 = np.minimum(r2, np.percentile(r2, 99))
                num[w] = float((r2 - mu[ok]).sum())
                den[w] = float((mu[ok] ** 2).sum())
            self._disp = (np.cumsum(num), np.cumsum(den))
        num, den = self._disp
        if week - 1 < 0 or den[week - 1] < 50:
            return p.dispersion
        inv = num[week - 1] / den[week - 1]
        return float(np.clip(1.0 / inv if inv > 0 else 1000.0, 2.0, 1000.0))

    def context(self, week: int, weeks: np.ndarray) -> tuple[np.ndarray, sparse.csr_matrix]:
        """Rows of ``weeks`` and their vectors with the IDF of ``week`` (cached for the last week asked)."""
        key = (week, tuple(int(w) for w in weeks))
        if getattr(self, "_ctx_key", None) != key:
            rows = np.concatenate([self.rows_of_week[w] for w in weeks]) if len(weeks) else np.zeros(0, int)
            self._ctx_key, self._ctx = key, (rows, self.vec.matrix(rows, week))
        return self._ctx

    # -- phrases -------------------------------------------------------------------------------------
    def keywords(self) -> list[tuple[str, ...]]:
        """The ``pair_keywords`` content tokens of each document with the largest TF-IDF weight (IDF of the
        document's own week, i.e. from the past only), in weight order, among the tokens that recur
        (≥ ``pair_min_df`` documents in the IDF window): a word seen once can never make a recurring pair."""
        if getattr(self, "_keywords", None) is None:
            k = self.params.pair_keywords
            out: list[tuple[str, ...]] = [()] * len(self.docs)
            vocab = self.vec.vocab
            toks = self.docs["tokens"].tolist()
            for w in range(self.n_weeks):
                idf = self.vec.idf(w)
                lo = max(0, w - self.params.idf_weeks + 1)
                df = np.asarray(self.vec.df_week[lo : w + 1].sum(axis=0)).ravel()
                for i in np.flatnonzero(self.week == w):
                    counts: dict[str, int] = {}
                    for t in toks[i]:
                        if df[vocab[t]] >= self.params.pair_min_df:
                            counts[t] = counts.get(t, 0) + 1
                    ranked = sorted(counts, key=lambda t: (-(1 + math.log(counts[t])) * idf[vocab[t]], t))
                    out[i] = tuple(ranked[:k])
            self._keywords = out
        return self._keywords

    def anchors_of(self, i: int) -> set[str]:
        """The anchors a document contributes: its content tokens, bigrams, ``@place``, ``[category]`` for
        each category whose words it contains, the pairs (``a+b``,
        sorted) of its top keywords and, when it names a place, ``@place+token`` for each of its tokens and
        ``@place+[category]`` for each category whose words it contains (供暖, 暖气 and 供热 are one
        problem)."""
        d = self.docs
        feats = set(d["tokens"].iat[i]) | set(d["bigrams"].iat[i])
        if d["place"].iat[i]:
            feats.add("@" + d["place"].iat[i])
        if self.params.category_anchors:
            feats.update(f"[{code}]" for code in self.categories()[i])
        if self.params.pair_keywords:
            kw = sorted(self.keywords()[i])
            feats.update(f"{a}+{b}" for j, a in enumerate(kw) for b in kw[j + 1 :])
            if d["place"].iat[i]:  # the same problem at the same place
                place = d["place"].iat[i]
                feats.update(f"@{place}+{a}" for a in set(d["tokens"].iat[i]))
                feats.update(f"@{place}+[{code}]" for code in self.categories()[i])
        return feats

    def categories(self) -> list[frozenset[str]]:
        """Category codes whose words each document contains (the category lexicons)."""
        if getattr(self, "_categories", None) is None:
            pats = _lexicon_patterns()
            self._categories = [
                frozenset(code for code, (pat, singles) in pats.items() if pat.search(t) or singles & s)
                for t, s in zip(self.docs["norm"], self.docs["singles"], strict=True)
            ]
        return self._categories

    def phrase_matrix(self) -> tuple[np.ndarray, list[str], dict[str, np.ndarray]]:
        """Distinct senders per week (rows) of each anchor (columns) that reaches ``phrase_min_count``
        senders in some week, and anchor → document rows.  (Anchors that never reach the minimum count
        can never alarm, so leaving them out changes no decision.)"""
        if self._phrases is None:
            index: dict[str, int] = {}
            f_ids, d_ids = [], []
            for i in np.flatnonzero(self.usable):
                for f in self.anchors_of(int(i)):
                    f_ids.append(index.setdefault(f, len(index)))
                    d_ids.append(i)
            f_ids = np.asarray(f_ids, dtype=np.int64)
            d_ids = np.asarray(d_ids, dtype=np.int64)
            sender_code = pd.factorize(self.senders)[0].astype(np.int64)
            key = (f_ids * (self.n_weeks + 1) + self.week[d_ids]) * (sender_code.max() + 1) + sender_code[
                d_ids
            ]
            uniq = np.unique(key)
            fw = uniq // (sender_code.max() + 1)
            fw_u, fw_c = np.unique(fw, return_counts=True)
            feat = fw_u // (self.n_weeks + 1)
            wk = fw_u % (self.n_weeks + 1)
            best = np.zeros(len(index), dtype=np.int64)
            np.maximum.at(best, feat, fw_c)
            keep_ids = np.flatnonzero(best >= self.params.phrase_min_count)
            col = -np.ones(len(index), dtype=np.int64)
            col[keep_ids] = np.arange(len(keep_ids))
            mat = np.zeros((self.n_weeks, len(keep_ids)))
            sel = col[feat] >= 0
            mat[wk[sel], col[feat[sel]]] = fw_c[sel]
            names_all = np.array(list(index), dtype=object)
            keep = names_all[keep_ids].tolist()
            order = np.argsort(f_ids, kind="stable")
            bounds = np.searchsorted(f_ids[order], keep_ids)
            ends = np.searchsorted(f_ids[order], keep_ids, side="right")
            rows_of = {keep[j]: d_ids[order[bounds[j] : ends[j]]] for j in range(len(keep_ids))}
            self._phrases = (mat, keep, rows_of)
        return self._phrases

    # -- issue candidates ----------------------------------------------------------------------------
    def week_groups(self, week: int) -> list[np.ndarray]:
        """Groups (document rows) of the week's issue-like messages with ≥ ``min_count`` distinct senders."""
        rows = self.rows_of_week[week]
        if len(rows) > self.params.max_cluster_docs:
            ntok = self.docs["tokens"].map(len).to_numpy()[rows]
            rows = rows[np.argsort(-ntok, kind="stable")[: self.params.max_cluster_docs]]
            rows.sort()
        if len(rows) < 2:
            return []
        labels = cluster_rows(self.vec.matrix(rows, week), self.params.cluster_sim)
        out = []
        for lab in np.unique(labels):
            members = rows[labels == lab]
            if _distinct_senders(members, self.senders) >= self.params.min_count:
                out.append(members)
        return out

    def similar_rows(
        self, center: np.ndarray, week: int, weeks: np.ndarray, members: np.ndarray | None = None
    ) -> np.ndarray:
        """Issue-like document rows of ``weeks`` with cosine ≥ ``count_sim`` to ``center`` (IDF of
        ``week``).  Members of the group (in ``week``) are scored against the leave-one-out centroid, so
        they get no advantage over messages of earlier weeks."""
        rows, x = self.context(week, weeks)
        if len(rows) == 0:
            return rows
        sims = np.asarray(x @ center).ravel()
        if members is not None and len(members) > 1:
            pos = {r: i for i, r in enumerate(rows)}
            xm = self.vec.matrix(members, week).toarray()
            total = xm.sum(axis=0)
            for k, r in enumerate(members):
                loo = total - xm[k]
                norm = np.linalg.norm(loo)
                if r in pos:
                    sims[pos[r]] = float(xm[k] @ loo / norm) if norm > 0 else 0.0
        return rows[sims >= self.params.count_sim]

    def weekly_senders(self, rows: np.ndarray, weeks: np.ndarray) -> dict[int, int]:
        """Distinct senders per week among ``rows``, for each of ``weeks``."""
        frame = pd.DataFrame({"w": self.week[rows], "s": self.senders[rows]}).drop_duplicates()
        counts = frame["w"].value_counts()
        return {int(w): int(counts.get(w, 0)) for w in weeks}

    def test_group(
        self, members: np.ndarray, week: int, *, via: str = "issue", phrases: tuple[str, ...] = ()
    ) -> Candidate:
        """The issue test of one group of ``week``: its similar-message counts against the baselines."""
        p = self.params
        center = centroid(self.vec.matrix(members, week))
        trailing, season = _baseline_windows(week, p, self.n_weeks, max(p.spans))
        trailing = np.arange(max(0, trailing[0] - max(p.spans)) if len(trailing) else 0, week)
        look = np.arange(max(0, week - p.lookback_weeks), week)
        weeks = np.unique(np.concatenate([trailing, season, look, [week]])).astype(int)
        hits = self.similar_rows(center, week, weeks, members)
        weekly = self.weekly_senders(hits, weeks)
        counts = np.zeros((self.n_weeks, 1))
        for w, c in weekly.items():
            counts[w, 0] = c
        res = span_tests(
            counts,
            self.volume,
            week,
            p,
            alpha=p.alpha,
            min_count=p.min_count,
            dispersion=self.dispersion_at(week),
        )
        cand = Candidate(
            week=week,
            rows=members,
            center=center,
            y=float(res["y"][0]),
            expected=float(res["expected"][0]),
            p=float(res["p"][0]) if res["tested"] else 1.0,
            via=via,
            phrases=phrases,
            weekly=weekly,
        )
        cand.hits = hits
        cand.alarm = bool(res["alarm"][0]) and res["tested"]
        cand.span = int(res["span"][0])
        return cand


# --------------------------------------------------------------------------------------------------
# Describing a group: title, place, category, examples
# --------------------------------------------------------------------------------------------------

BAD_TITLE_POS = frozenset(
    {
        "d",
        "df",
        "m",
        "mq",
        "t",
        "f",
        "r",
        "p",
        "c",
        "u",
        "uj",
        "ul",
        "q",
        "y",
        "e",
        "o",
        "zg",
        "ad",
        "ag",
        "a",
        "z",
        "k",
        "h",
        "x",
        "w",
    }
)
"""Parts of speech that never name an issue on their own (adverbs, numbers, time words, directions,
pronouns, adjectives …: 特别 d, 七点 m, 里 f, 坏 a, 不要 df)."""

MAX_TITLE_DF = 0.05  # a single word in more than 5 % of messages is too common to name an issue alone
MAX_PAIRED_DF = 0.2  # … but may stand beside a rarer phrase when it is concentrated in the group
MIN_LIFT = 3.0
MIN_TITLE_COVERAGE = 0.3  # a title phrase is in at least 30 % of the group's messages


@lru_cache(maxsize=1 << 15)
def _pos_ok(word: str) -> bool:

    tags = _tagger().tag(word)
    if len(tags) == 1:
        return tags[0][1] not in BAD_TITLE_POS
    return any(t[1].startswith("n") or t[1] in ("vn", "v", "l", "j", "i") for t in tags)


@lru_cache(maxsize=1)
def _tagger():
    import rjieba

    from jiesu.text import user_dictionary

    j = rjieba.Jieba()
    for word, freq, tag in user_dictionary():
        j.add_word(word, freq, tag)
    return j


def title_ok(
    phrase: str, *, df_share: float, filler: frozenset[str] | None = None, lift: float | None = None
) -> bool:
    """Whether a token or bigram may name an issue: content token(s), not a placeholder, not too common
    (``df_share`` ≤ :data:`MAX_TITLE_DF`; up to :data:`MAX_PAIRED_DF` when the phrase is at least
    :data:`MIN_LIFT` times more frequent in the group than overall — ``lift`` — and is not the whole
    title), and a single word must not be an adverb/number/time/direction/adjective by its part of
    speech."""
    if phrase.startswith("@") or not is_content_token(phrase, filler):
        return False
    if df_share > MAX_TITLE_DF and (lift is None or df_share > MAX_PAIRED_DF or lift < MIN_LIFT):
        return False
    return _pos_ok(phrase)


def _jaccard(a: str, b: str) -> float:
    ga, gb = _trigrams(a), _trigrams(b)
    return len(ga & gb) / max(len(ga | gb), 1)


@dataclass
class Description:
    title: str  # "" when no phrase names the group (an incoherent group: not an issue)
    phrases: tuple[str, ...]
    place: str
    places: int  # distinct places named by the members
    category: str  # code
    category_share: float
    examples: tuple[str, ...]


def category_of(docs: pd.DataFrame) -> tuple[str, float]:
    """The category whose words appear in at least half of the messages (and clearly more often than
    the runner-up's: by ≥ 0.15), else ``other``; with the winning share."""
    if len(docs) == 0:
        return OTHER, 0.0
    shares = {}
    for code, (pattern, singles) in _lexicon_patterns().items():
        hit = [
            bool(pattern.search(t)) or bool(singles & s)
            for t, s in zip(docs["norm"], docs["singles"], strict=True)
        ]
        shares[code] = float(np.mean(hit))
    ranked = sorted(shares.items(), key=lambda kv: (-kv[1], kv[0]))
    best, share = ranked[0]
    runner = ranked[1][1] if len(ranked) > 1 else 0.0
    if share >= 0.5 and share - runner >= 0.15:
        return best, share
    return OTHER, share


def describe(
    det: Detector,
    rows: np.ndarray,
    week: int,
    center: np.ndarray | None = None,
    *,
    used_examples: set[str] | None = None,
    n_examples: int = 3,
) -> Description:
    """Title phrase(s), place, category and distinct examples of a group of document rows."""
    docs = det.docs.iloc[rows]
    vocab, share = det.vec.vocab, det.vec.df_share(week)
    n = len(docs)
    cover: dict[str, int] = {}
    for toks, bis in zip(docs["tokens"], docs["bigrams"], strict=True):
        for f in set(toks) | set(bis):
            cover[f] = cover.get(f, 0) + 1
    n_all = max(det.vec.docs_week[max(0, week - det.params.idf_weeks + 1) : week + 1].sum(), 1.0)
    scored = []
    for f, c in cover.items():
        cov = c / n
        if cov < MIN_TITLE_COVERAGE or c < 2:
            continue
        df = share[vocab[f]] if f in vocab else 0.0
        if not title_ok(f, df_share=df, lift=cov / max(df, 1.0 / n_all)):
            continue
        scored.append((cov * math.log(1.0 / max(df, 1.0 / n_all)), cov, f, df <= MAX_TITLE_DF))
    scored.sort(key=lambda t: (-t[0], t[2]))
    phrases: list[str] = []
    for score, _coverage, f, _alone in scored:
        if any(f in g or g in f for g in phrases):
            continue
        if phrases and score < 0.5 * scored[0][0]:
            break
        phrases.append(f)
        if len(phrases) == 2:
            break
    if len(phrases) == 1 and not next(t[3] for t in scored if t[2] == phrases[0]):
        phrases = []  # a common word may not name an issue alone
    named = docs["place"].loc[docs["place"] != ""]
    place, n_places = "", int(named.nunique())
    if len(named):
        top = named.value_counts()
        senders_at_top = docs.loc[docs["place"] == top.index[0], "sender_id"].nunique()
        if top.iloc[0] / len(named) >= 0.5 and senders_at_top >= 2:
            place = str(top.index[0])
    code, cshare = category_of(docs)
    if not phrases and place and code != OTHER:
        # no phrase is both frequent in the group and rare elsewhere (暖气 in January): the category's
        # label names it, with the place
        phrases = [label_of(code)]
    # examples: closest to the centroid first, distinct texts and senders, not shown in another row
    if center is None:
        center = centroid(det.vec.matrix(rows, week))
    sims = np.asarray(det.vec.matrix(rows, week) @ center).ravel()
    order = np.argsort(-sims, kind="stable")
    used = used_examples if used_examples is not None else set()
    picked: list[str] = []
    senders_seen: set[str] = set()
    for k in order:
        text = str(docs["text"].iloc[k]).strip().replace("\n", " ")
        short = text[:80]
        sender = docs["sender_id"].iloc[k]
        if sender in senders_seen or short in used or any(_jaccard(short, q) >= 0.5 for q in picked):
            continue
        if any(_jaccard(short, q) >= 0.5 for q in used):
            continue
        picked.append(short)
        senders_seen.add(sender)
        if len(picked) == n_examples:
            break
    used.update(picked)
    return Description(
        title="·".join(phrases),
        phrases=tuple(phrases),
        place=place,
        places=n_places,
        category=code,
        category_share=round(cshare, 3),
        examples=tuple(picked),
    )


def owner_team(code: str) -> str:
    """The backbone team that acts first on a category (:data:`jiesu.categories.TEAMS`); issues filed
    under 其他 go to the community workers (社区工作者), who triage them."""
    return TEAMS[BY_CODE[code].owner_team] if code in BY_CODE else TEAMS["staff"]


# --------------------------------------------------------------------------------------------------
# Weekly bursts (prospective)
# --------------------------------------------------------------------------------------------------


def _season_start(code: str) -> tuple[int, int] | None:
    """(month, day) a seasonal category's season starts (from its declared ``season`` text/months)."""
    cat = BY_CODE.get(code)
    if cat is None or len(cat.months) == 12:
        return None
    m = re.match(r"(\d+)月(\d+)日", cat.season)
    if m:
        return int(m.group(1)), int(m.group(2))
    months = set(cat.months)
    first = next(mo for mo in cat.months if (mo - 2) % 12 + 1 not in months)
    return first, 1


def seasonal_onset(code: str, day: pd.Timestamp, weeks: int) -> bool:
    """Whether ``day`` is within ``weeks`` weeks after the declared start of ``code``'s season."""
    start = _season_start(code)
    if start is None:
        return False
    for year in (day.year - 1, day.year):
        try:
            s = pd.Timestamp(year=year, month=start[0], day=start[1])
        except ValueError:
            continue
        if pd.Timedelta(0) <= day - s <= pd.Timedelta(weeks=weeks):
            return True
    return False


def _merge_candidates(cands: list[Candidate], det: Detector) -> list[Candidate]:
    """Candidates of one week that share at least half of the smaller one's messages become one (the
    messages of a much broader candidate do not join: it only adds its anchors)."""
    out: list[Candidate] = []
    for c in sorted(cands, key=lambda c: (c.p, -c.y)):
        rows = set(c.rows.tolist())
        for o in out:
            orows = set(o.rows.tolist())
            inter = len(rows & orows)
            if inter >= 0.5 * min(len(rows), len(orows)):
                if len(rows) - inter <= inter:
                    o.rows = np.array(sorted(orows | rows))
                o.phrases = tuple(dict.fromkeys(o.phrases + c.phrases))
                if c.via not in o.via:
                    o.via = o.via + "+" + c.via
                break
        else:
            out.append(c)
    return out


def _phrase_candidates(det: Detector, week: int) -> list[Candidate]:
    """Alarmed phrases of ``week`` (tokens, bigrams, places), grouped by shared messages."""
    p = det.params
    mat, names, rows_of = det.phrase_matrix()
    if mat.shape[1] == 0:
        return []
    res = span_tests(
        mat,
        det.volume,
        week,
        p,
        alpha=p.phrase_alpha,
        min_count=p.phrase_min_count,
        dispersion=det.dispersion_at(week),
    )
    if not res["tested"]:
        return []
    groups: list[tuple[set[int], list[str], float, float, float, int]] = []
    alarmed = np.flatnonzero(res["alarm"])
    for j in alarmed[np.argsort(res["p"][alarmed], kind="stable")]:
        f = names[j]
        if not f.startswith(("@", "[")) and "+" not in f and not title_ok(f, df_share=0.0):
            continue  # a word that cannot name an issue (adverb, number, time …) raises no burst
        r = rows_of[f]
        span = int(res["span"][j])
        r = set(r[(det.week[r] <= week) & (det.week[r] > week - span)].tolist())
        for g in groups:
            inter = len(g[0] & r)
            if inter >= 0.5 * min(len(g[0]), len(r)):
                if len(r) - inter <= inter:  # mostly inside: its messages join; a broader word only names
                    g[0].update(r)
                g[1].append(f)
                break
        else:
            groups.append((r, [f], float(res["y"][j]), float(res["expected"][j]), float(res["p"][j]), span))
    out = []
    for rows, phrases, y, mu, pv, span in groups:
        members = np.array(sorted(rows))
        cand = det.test_group(members, week, via="phrase", phrases=tuple(phrases))
        cand.y, cand.expected, cand.p, cand.alarm, cand.span = y, mu, pv, True, span
        out.append(cand)
    return out


def _onset(det: Detector, cand: Candidate) -> pd.Timestamp:
    """Back-dated onset: the first day, among the messages carrying the group's specific anchors
    (phrase candidates: all its words, pairs and place–word anchors together; a bare place or category is
    too broad and is used only when nothing else alarmed) or similar to its centroid (issue candidates),
    of the earliest week of the run of weeks before the alarm in which that count was already above its
    expected level (Poisson upper tail below ``onset_alpha``; at most ``lookback_weeks`` before the tested
    span).  Uses only weeks up to the alarm week."""
    p = det.params
    week, span = cand.week, int(getattr(cand, "span", 1))
    first = week - span + 1
    from scipy import stats

    rate = max(cand.expected, 1e-3) / max(det.volume[first : week + 1].sum(), 1.0)  # expected per message
    if cand.phrases:
        mat, names, rows_of = det.phrase_matrix()
        index = {f: j for j, f in enumerate(names)}
        specific = [f for f in cand.phrases if f in index and ("+" in f or not f.startswith(("@", "[")))]
        if not specific:
            specific = [f for f in cand.phrases if f in index][:1]
        if specific:
            # the union of the group's specific anchors (供暖, 暖气 and 供热 messages together) and the
            # sum of their trailing rates
            rows = np.unique(np.concatenate([rows_of[f] for f in specific]))
            rows = rows[det.week[rows] <= week]
            frame = pd.DataFrame({"w": det.week[rows], "s": det.senders[rows]}).drop_duplicates()
            series = np.bincount(frame["w"].to_numpy(), minlength=det.n_weeks).astype(float)
            trailing, _ = _baseline_windows(week, p, det.n_weeks, span)
            if len(trailing) and det.volume[trailing].sum() > 0:
                cols = [index[f] for f in specific]
                rate = max(rate, float(mat[np.ix_(trailing, cols)].sum() / det.volume[trailing].sum()))
        else:
            series, rows = np.zeros(det.n_weeks), cand.rows
    else:
        series = np.zeros(det.n_weeks)
        for w, c in cand.weekly.items():
            series[w] = c
        rows = cand.hits if len(cand.hits) else cand.rows
    start_week = week
    for w in range(week - 1, max(-1, first - p.lookback_weeks - 1), -1):
        if series[w] >= 1 and stats.poisson.sf(series[w] - 1, rate * det.volume[w]) < p.onset_alpha:
            start_week = w
        else:
            break
    rows = rows[(det.week[rows] >= start_week) & (det.week[rows] <= week)]
    if len(rows) == 0:
        rows = cand.rows
    return pd.Timestamp(det.docs["day"].iloc[rows].min())


BURST_COLUMNS = [
    "burst",
    "decided",
    "onset",
    "title",
    "place",
    "category",
    "label",
    "terms",
    "via",
    "count",
    "expected",
    "p_value",
    "weeks_alarmed",
    "last_decided",
    "examples",
    "owner_team",
    "msg_ids",
    "seasonal_onset",
]


def weekly_bursts(
    det: Detector,
    *,
    start: pd.Timestamp | str | None = None,
    end: pd.Timestamp | str | None = None,
    keep_suppressed: bool = False,
) -> pd.DataFrame:
    """Prospective bursts: for every week from ``start`` to ``end`` (default: all testable weeks), the
    decision at the week's end uses only messages up to that moment.

    Returns one row per burst (a burst alarming on consecutive weeks is one row): ``burst``, ``decided``
    (end of the first alarm week: when it would have been reported), ``onset`` (back-dated first day),
    ``title``, ``place``, ``category`` (code), ``label``, ``terms`` (alarmed phrases / title phrases),
    ``via`` (issue / phrase test), ``count`` and ``expected`` (distinct senders in the first alarm week),
    ``p_value``, ``weeks_alarmed``, ``last_decided``, ``examples`` (" / "-joined), ``owner_team``,
    ``msg_ids`` (members in the first alarm week), ``seasonal_onset`` (suppressed as the declared start of
    its category's season; only kept with ``keep_suppressed``).
    """
    p = det.params
    origin = det.vec.origin
    w0 = 0 if start is None else max(0, int((pd.Timestamp(start) - origin).days // 7))
    w1 = det.n_weeks - 1 if end is None else min(det.n_weeks - 1, int((pd.Timestamp(end) - origin).days // 7))
    bursts: list[dict] = []
    open_: list[dict] = []
    for week in range(w0, w1 + 1):
        trailing, season = _baseline_windows(week, p, det.n_weeks)
        if len(trailing) < p.min_history_weeks:
            continue
        cands: list[Candidate] = []
        if p.issue_tests:
            for members in det.week_groups(week):
                c = det.test_group(members, week)
                if c.alarm:
                    cands.append(c)
        if p.phrase_tests:
            cands += _phrase_candidates(det, week)
        decided = week_end(origin, week)
        for c in _merge_candidates(cands, det):
            d = describe(det, c.rows, week, c.center)
            if not d.title and not d.place:
                continue  # no phrase names it: not an issue
            suppressed = bool(
                p.suppress_seasonal_onsets
                and len(season) == 0
                and d.category != OTHER
                and seasonal_onset(d.category, decided, p.seasonal_onset_weeks)
                and not d.place
                and d.places >= p.spread_places
            )
            terms = tuple(dict.fromkeys(tuple(t.lstrip("@") for t in c.phrases) + d.phrases))
            linked = None
            for b in open_:
                if week - b["_last_week"] > p.link_weeks:
                    continue
                same = (
                    float(b["_center"] @ c.center) >= p.link_sim
                    if len(b["_center"]) == len(c.center)
                    else False
                )
                if same or (set(terms) & set(b["_terms"])):
                    linked = b
                    break
            if linked is not None:
                linked["_last_week"] = week
                linked["weeks_alarmed"] += 1
                linked["last_decided"] = decided
                linked["_terms"] = tuple(dict.fromkeys(linked["_terms"] + terms))
                continue
            row = {
                "decided": decided,
                "onset": _onset(det, c),
                "title": d.title,
                "place": d.place,
                "category": d.category,
                "label": label_of(d.category) if d.category != OTHER else OTHER_LABEL,
                "terms": " ".join(terms[:6]),
                "via": c.via,
                "count": int(c.y),
                "expected": round(float(c.expected), 2),
                "p_value": float(c.p),
                "weeks_alarmed": 1,
                "last_decided": decided,
                "examples": " / ".join(d.examples),
                "owner_team": owner_team(d.category),
                "msg_ids": " ".join(det.docs["msg_id"].iloc[c.rows].tolist()),
                "seasonal_onset": suppressed,
                "_center": c.center,
                "_last_week": week,
                "_terms": terms,
            }
            open_.append(row)
            bursts.append(row)
        open_ = [b for b in open_ if week - b["_last_week"] <= p.link_weeks]
    frame = pd.DataFrame(
        [{k: v for k, v in b.items() if not k.startswith("_")} for b in bursts],
        columns=[c for c in BURST_COLUMNS if c != "burst"],
    )
    if not keep_suppressed:
        frame = frame.loc[~frame["seasonal_onset"].astype(bool)]
    frame = frame.reset_index(drop=True)
    frame.insert(0, "burst", np.arange(1, len(frame) + 1))
    return frame


# --------------------------------------------------------------------------------------------------
# Hot issues (one as-of date) and the watch list
# --------------------------------------------------------------------------------------------------

HOT_COLUMNS = [
    "issue",
    "title",
    "place",
    "category",
    "label",
    "onset",
    "this_week",
    "window_count",
    "weekly",
    "trend",
    "heat",
    "rise_p",
    "likes",
    "span_days",
    "bursting",
    "examples",
    "owner_team",
    "anchors",
    "msg_ids",
]


def _as_of_week(det: Detector, as_of) -> int:
    return int((pd.Timestamp(as_of).normalize() - det.vec.origin).days // 7)


def hot_issues(
    det: Detector,
    as_of,
    *,
    bursts: pd.DataFrame | None = None,
    top: int = 20,
    min_senders: int = 3,
) -> pd.DataFrame:
    """The hot issues of the ``window_weeks`` weeks ending with the week of ``as_of`` (data after the end
    of that week is never read).

    Grouping: candidate *anchors* (content words, bigrams, keyword pairs, place + word, place +
    category) with at least ``min_senders`` distinct senders in the window seed the groups, most unusual
    first (upper-tail p-value of the window's count against the 12 weeks before it below ``hot_alpha``:
    a hot issue is one that is hotter than it was; a single word must be specific, in at most
    ``hot_max_df`` of the messages); each seed takes its window messages not yet in an earlier issue, then the
    TF-IDF vectors pull in the other window messages whose cosine to the seed's centroid is at least
    ``pull_sim``.  Groups that no
    phrase names (no title) are dropped.

    Returns the ``top`` issues, bursting first, then by the significance of the rise (``rise_p``), then
    heat: ``issue``, ``title``, ``place``, ``category`` (code), ``label``,
    ``onset`` (first day of the run of elevated weeks), ``this_week`` / ``window_count`` (distinct
    senders), ``weekly`` (distinct senders in each of the 12 weeks up to ``as_of``, oldest first),
    ``trend`` ((this week + 1) / (mean of the 4 weeks before + 1)), ``heat`` (window senders ×
    (1 + log(1 + span in days)/4) × (1 + log(1 + likes)/4): count, span and likes), ``likes``,
    ``span_days``, ``bursting`` (the issue shares messages with a burst of ``bursts`` decided in the
    window), ``examples`` (distinct texts from distinct senders, none repeated across rows),
    ``owner_team``, ``anchors``, ``msg_ids``.
    """
    p = det.params
    week = min(_as_of_week(det, as_of), det.n_weeks - 1)
    first = max(0, week - p.window_weeks + 1)
    mat, names, rows_of = det.phrase_matrix()
    window_rows = np.concatenate([det.rows_of_week[w] for w in range(first, week + 1)])
    in_window = np.zeros(len(det.docs), dtype=bool)
    in_window[window_rows] = True
    share = det.vec.df_share(week)
    span = week - first + 1
    # the window as one span, tested against the 12 weeks before it
    res = weekly_test(
        mat,
        det.volume,
        week,
        replace(p, min_history_weeks=1),
        alpha=1.0,
        min_count=min_senders,
        dispersion=det.dispersion_at(week),
        span=span,
    )
    order = np.argsort(res["p"], kind="stable")
    assigned = np.zeros(len(det.docs), dtype=bool)
    issues: list[dict] = []
    x_window = det.vec.matrix(window_rows, week)
    pos = {r: i for i, r in enumerate(window_rows)}
    for j in order:
        if res["p"][j] > p.hot_alpha:
            break  # sorted by p: no later anchor qualifies
        if res["y"][j] < min_senders:
            continue
        f = names[j]
        if f.startswith("["):
            continue
        if "+" not in f and not f.startswith("@"):
            vj = det.vec.vocab.get(f)
            if vj is None or share[vj] > p.hot_max_df or not title_ok(f, df_share=share[vj]):
                continue
        r = rows_of[f]
        r = r[in_window[r] & ~assigned[r]]
        if _distinct_senders(r, det.senders) < min_senders:
            continue
        center = centroid(x_window[[pos[i] for i in r]])
        sims = np.asarray(x_window @ center).ravel()
        pulled = window_rows[(sims >= p.pull_sim) & ~assigned[window_rows]]
        members = np.union1d(r, pulled)
        assigned[members] = True
        issues.append({"rows": members, "anchors": [f], "p": float(res["p"][j]), "center": center})
        if len(issues) >= 5 * top:
            break
    # later anchors mostly inside an issue join its anchor list (for counting history)
    out_rows = []
    used_examples: set[str] = set()
    burst_ids = set()
    if bursts is not None and len(bursts):
        lo, hi = week_end(det.vec.origin, first) - pd.Timedelta(days=6), week_end(det.vec.origin, week)
        recent = bursts.loc[(bursts["last_decided"] >= lo) & (bursts["decided"] <= hi)]
        burst_ids = {m for ids in recent["msg_ids"] for m in ids.split()}
    weeks12 = np.arange(max(0, week - 11), week + 1)
    for iss in issues:
        d = describe(
            det, iss["rows"], week, iss["center"], used_examples=used_examples, n_examples=p.examples
        )
        if not d.title:
            continue
        anchor_rows = np.concatenate([rows_of[a] for a in iss["anchors"]])
        anchor_rows = anchor_rows[det.week[anchor_rows] <= week]
        hist = np.union1d(anchor_rows, iss["rows"])
        weekly = det.weekly_senders(hist, weeks12)
        series = np.array([weekly[int(w)] for w in weeks12])
        this = int(series[-1])
        before = series[-5:-1] if len(series) >= 5 else series[:-1]
        trend = round((this + 1) / ((before.mean() if len(before) else 0.0) + 1), 2)
        # onset: the first day of the run of weeks (ending now) with counts above the 12-week median
        med = np.median(series[: -p.window_weeks]) if len(series) > p.window_weeks else 0.0
        run_start = len(series) - 1
        while run_start > 0 and series[run_start - 1] > med:
            run_start -= 1
        onset_rows = hist[det.week[hist] >= weeks12[run_start]]
        onset = pd.Timestamp(det.docs["day"].iloc[onset_rows].min()) if len(onset_rows) else pd.NaT
        members = iss["rows"]
        senders = _distinct_senders(members, det.senders)
        days = det.docs["day"].iloc[members]
        span_days = int((days.max() - days.min()).days) + 1
        likes = float(det.docs["likes"].iloc[members].sum())
        heat = senders * (1 + math.log1p(span_days) / 4) * (1 + math.log1p(likes) / 4)
        ids = det.docs["msg_id"].iloc[members].tolist()
        out_rows.append(
            {
                "title": d.title,
                "place": d.place,
                "category": d.category,
                "label": label_of(d.category) if d.category != OTHER else OTHER_LABEL,
                "onset": onset,
                "this_week": this,
                "window_count": senders,
                "weekly": " ".join(str(int(v)) for v in series),
                "trend": trend,
                "heat": round(heat, 2),
                "rise_p": iss["p"],
                "likes": likes,
                "span_days": span_days,
                "bursting": bool(burst_ids & set(ids)),
                "examples": " / ".join(d.examples),
                "owner_team": owner_team(d.category),
                "anchors": " ".join(a for a in iss["anchors"]),
                "msg_ids": " ".join(ids),
            }
        )
    frame = pd.DataFrame(out_rows, columns=[c for c in HOT_COLUMNS if c != "issue"])
    frame = frame.sort_values(
        ["bursting", "rise_p", "heat", "title"], ascending=[False, True, False, True], kind="stable"
    ).head(top)
    frame = frame.reset_index(drop=True)
    frame.insert(0, "issue", np.arange(1, len(frame) + 1))
    return frame


WATCH_COLUMNS = [
    "title",
    "place",
    "category",
    "this_week",
    "trend",
    "bursting",
    "onset",
    "examples",
    "owner_team",
    "msg_ids",
]


def watch_list(
    hot: pd.DataFrame, *, top: int = 10, min_this_week: int = 2, rise_alpha: float = 1e-4
) -> pd.DataFrame:
    """The report's watch list from :func:`hot_issues`: bursting issues first, then issues whose rise
    is notable (trend > 1 and ``rise_p`` < ``rise_alpha``: with thousands of candidate phrases, a rise at
    1 % is mostly chance), each with at least ``min_this_week`` senders this week, most significant rise
    first; at most ``top`` rows (fewer rather than padded).  ``category`` is the Chinese label."""
    if hot.empty:
        return pd.DataFrame(columns=WATCH_COLUMNS)
    notable = hot["bursting"] | ((hot["trend"] > 1.0) & (hot["rise_p"] < rise_alpha))
    rising = hot.loc[(hot["this_week"] >= min_this_week) & notable]
    rising = rising.sort_values(
        ["bursting", "rise_p", "heat"], ascending=[False, True, False], kind="stable"
    ).head(top)
    out = rising.assign(category=rising["label"])
    return out[WATCH_COLUMNS].reset_index(drop=True)


def check_watch_list(
    watch: pd.DataFrame, docs: pd.DataFrame, *, filler: frozenset[str] | None = None
) -> list[str]:
    """The properties a watch list must have; returns the violations (empty when it passes).

    * titles: every phrase (split on ``·``) is a content token — at least 2 characters, not filler or a
      stopword, not a number/time (七点), no ``_``, no placeholder (A市, X号, ``***``);
    * categories: a label other than 其他 has its words in at least half of the row's messages, and the
      owner team is that category's;
    * examples: 2–3 per row (1 only when the row's messages hold a single distinct text), pairwise
      distinct within a row (character-trigram Jaccard < 0.5) and no example shown in two rows.
    """
    filler = default_filler() if filler is None else filler
    problems: list[str] = []
    by_id = docs.set_index("msg_id")
    seen: dict[str, int] = {}
    labels = {c.label: c.code for c in CATEGORIES}
    for i, row in enumerate(watch.itertuples(index=False)):
        parts = [t for t in str(row.title).split("·") if t]
        if not parts and not row.place:
            problems.append(f"row {i}: no title")
        for t in parts:
            if not is_content_token(t, filler):
                problems.append(f"row {i}: title phrase {t!r} is filler/placeholder/too short")
        if row.category not in labels and row.category != OTHER_LABEL:
            problems.append(f"row {i}: unknown category {row.category!r}")
        code = labels.get(row.category, OTHER)
        if code != OTHER:
            ids = [m for m in str(row.msg_ids).split() if m in by_id.index]
            sub = by_id.loc[ids]
            pat, singles = _lexicon_patterns()[code]
            share = (
                np.mean(
                    [
                        bool(pat.search(t)) or bool(singles & s)
                        for t, s in zip(sub["norm"], sub["singles"], strict=True)
                    ]
                )
                if len(sub)
                else 0
            )
            if share < 0.5:
                problems.append(f"row {i}: category {row.category} words in only {share:.0%} of its messages")
        if row.owner_team != owner_team(code):
            problems.append(f"row {i}: owner team {row.owner_team!r} is not the category's")
        examples = [e for e in str(row.examples).split(" / ") if e]
        texts = by_id.loc[[m for m in str(row.msg_ids).split() if m in by_id.index], "text"]
        distinct: list[str] = []
        for t in texts.astype(str).str.strip().str.replace("\n", " ").str[:80]:
            if all(_jaccard(t, q) < 0.5 for q in distinct):
                distinct.append(t)
            if len(distinct) >= 2:
                break
        if not min(2, len(distinct)) <= len(examples) <= 3 or not examples:
            problems.append(f"row {i}: {len(examples)} examples")
        for a in range(len(examples)):
            for b in range(a + 1, len(examples)):
                if _jaccard(examples[a], examples[b]) >= 0.5:
                    problems.append(f"row {i}: examples {a} and {b} are near-duplicates")
            if examples[a] in seen:
                problems.append(f"row {i}: example also shown in row {seen[examples[a]]}")
            seen.setdefault(examples[a], i)
    return problems
