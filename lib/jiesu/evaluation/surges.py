"""Semi-synthetic surge sets: real citizen text, injected surges with known truth, seeded timestamps.

No public, timestamped Chinese complaint set exists (``../shared/data/real/SOURCES.md``), so burst and
hot-issue methods are measured on sets built here: the *text* is real (人民网 领导留言板 messages,
:func:`jiesu.evaluation.real_sets.liuyan`), the *time* is synthetic and seeded.

A set has two layers:

* **Background** – several hundred real messages a week, drawn from the corpus with a seeded RNG.  The
  corpus is smaller than a year of background, so it is drawn in *cycles*: a seeded permutation of the
  pool, then another, so a text repeats only after the whole pool has been used (about every 9,000
  messages, i.e. 30 weeks at 300 a week), never twice in one week.  Daily volume follows a weekday
  profile (weekends ~0.7×) with Gamma day-to-day noise; hours follow a daytime profile.  Every message
  gets a sender from a Zipf-weighted sender pool; a small share of background messages are re-sent by
  the same sender within a few days (near-duplicates), as on real boards.
* **Surges** – the real messages of one *subject* (a regular expression on the text, optionally
  restricted to 问题领域 labels; :data:`SUBJECTS`) laid over the background for a few weeks in one of
  three shapes (:class:`SurgeSpec`): ``step`` (a constant rate), ``ramp`` (rising linearly from
  ~15 % of the peak rate to the peak) or ``spike`` (``rate`` messages within ``spike_days`` days).
  Daily counts are Poisson.  A share of the surge messages are re-sends by a sender of an earlier surge
  message (``repeat_share``): the same text, or the text with a short follow-up prefix; most other
  messages come from new senders (``same_sender_share`` from an earlier one).

``subject_in_background``: ``"exclude"`` (default) removes every message matching the subject from the
background pool, so the surge is a *new* issue (a construction site starting work next to a compound);
``"keep"`` leaves the subject's other messages in the background at their natural rate (e.g. 地铁 is in
~4 % of all messages), which is the harder case of a rise on top of a standing topic.

``place_fill`` (optional): the corpus masks names and places with ``*``.  With ``place_fill=True`` every
``*``-run directly before a place suffix (小区, 家园, 花园, 社区, 村, 苑) is replaced by an estate
name: a Zipf-weighted pick from a seeded fictional gazetteer in the background, the surge's own place in
the surge's messages.  Nothing else in the text changes.  :func:`place_dictionary` gives the gazetteer
as the "user dictionary of the area's places" a registry would provide.

Everything is deterministic for a seed: the same arguments give identical frames.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

DAY = pd.Timedelta(days=1)
DEFAULT_START = "2022-01-03"  # a Monday: weeks run Monday–Sunday

# weekday profile (Mon..Sun) and hour-of-day profile of message arrival
WEEKDAY_WEIGHTS = np.array([1.12, 1.08, 1.06, 1.05, 1.0, 0.72, 0.68])
HOUR_WEIGHTS = np.array(
    [
        0.3,
        0.2,
        0.1,
        0.1,
        0.1,
        0.2,
        0.6,
        1.5,
        3.0,
        4.0,
        4.2,
        3.8,
        2.6,
        2.8,
        3.6,
        3.8,
        3.6,
        3.2,
        2.6,
        2.6,
        2.8,
        2.6,
        1.8,
        0.9,
    ]
)
HOUR_WEIGHTS = HOUR_WEIGHTS / HOUR_WEIGHTS.sum()

# prefixes of a re-sent complaint (the same sender writes again)
REPEAT_PREFIXES = ("再次反映：", "第二次反映，", "还是没人管，", "再次留言：", "之前反映过，", "")

PLACE_SUFFIXES = ("小区", "家园", "花园", "社区", "村", "苑")
_PLACE_SLOT = re.compile(r"\*+(?=(?:" + "|".join(PLACE_SUFFIXES) + "))")

# A fictional gazetteer: two-character stems combined into estate names (not real addresses).
_STEM_A = (
    "金榆",
    "安华",
    "北苑",
    "和平",
    "育新",
    "龙泽",
    "青塔",
    "永泰",
    "枫林",
    "望湖",
    "清河",
    "柳荫",
    "丰益",
    "西坝",
    "南湖",
    "东坝",
    "云岗",
    "朝阳",
    "长阳",
    "春晖",
)
_STEM_B = ("东里", "西里", "北里", "南里", "新城", "")


@dataclass(frozen=True)
class Subject:
    """A subject: the real messages whose text matches ``pattern`` (and whose 问题领域 is in ``labels``,
    when given).  ``terms`` are its characteristic words (for the truth table and term-based scoring);
    ``category`` is the jiesu category code (:mod:`jiesu.categories`) a correct report files it under
    (``"other"`` when none of the ten community categories fits)."""

    name: str
    pattern: str
    terms: tuple[str, ...]
    category: str = "other"
    labels: tuple[str, ...] = ()

    def mask(self, corpus: pd.DataFrame) -> pd.Series:
        hit = corpus["text"].astype(str).str.contains(self.pattern, regex=True)
        if self.labels:
            hit &= corpus["label"].isin(self.labels)
        return hit


SUBJECTS: dict[str, Subject] = {
    s.name: s
    for s in (
        # a construction site next to homes: the issue of the project's issue report (97 messages)
        Subject(
            "construction_noise",
            r"(?=.*(?:施工|工地|搅拌|渣土))(?=.*(?:噪音|扰民|噪声|吵))",
            ("施工", "噪音", "扰民", "工地"),
            "noise",
        ),
        Subject("heating", r"供暖|暖气|供热", ("供暖", "暖气", "供热"), "heating"),  # 150
        Subject("covid_test", r"核酸", ("核酸", "检测"), "epidemic"),  # 115
        Subject("hukou_points", r"积分落户", ("积分落户", "积分"), "other"),  # 55
        Subject("ev_charging", r"充电桩", ("充电桩", "充电"), "parking"),  # 89
        Subject("garbage", r"垃圾分类|垃圾桶|垃圾站", ("垃圾分类", "垃圾桶", "垃圾"), "garbage"),  # 78
        Subject("kindergarten", r"幼儿园", ("幼儿园",), "other", ("教育",)),  # 159
        Subject("metro", r"地铁", ("地铁",), "other", ("交通",)),  # ~300
        Subject("elevator_retrofit", r"加装电梯", ("加装电梯", "电梯"), "other"),  # 39
    )
}
"""The subjects used by the benchmark (sizes on the 9,449 labelled messages in the comments)."""


@dataclass(frozen=True)
class SurgeSpec:
    """One injected surge.

    subject : a key of :data:`SUBJECTS` (or a :class:`Subject`).
    onset_week : week index (0 = the set's first week) of the surge's first day.
    weeks : duration in weeks (step and ramp; 2–4 is the case of interest).
    shape : ``"step"``, ``"ramp"`` or ``"spike"``.
    rate : peak expected messages per week (step/ramp); for a spike, expected messages in total.
    spike_days : length of a spike in days.
    onset_day : day of the week (0 = Monday) the surge starts on.
    place : estate name the surge's masked place slots get with ``place_fill`` (default: a seeded pick).
    place_mention : with ``place_fill``, the share of the surge's messages *without* a masked place slot
        that get the place as an address header (``望湖新城小区：`` + text), as a 12345 work order carries
        the caller's address; 0 keeps the text untouched.
    repeat_share : share of the surge's messages that are re-sends by an earlier surge sender.
    same_sender_share : share of the surge's *new* messages written by a resident who already wrote one
        (a different message about the same issue); the others come from new senders.
    """

    subject: str | Subject
    onset_week: int
    weeks: float = 3.0
    shape: str = "step"
    rate: float = 8.0
    spike_days: int = 3
    onset_day: int = 2
    place: str | None = None
    place_mention: float = 0.0
    repeat_share: float = 0.1
    same_sender_share: float = 0.15

    def subject_def(self) -> Subject:
        return self.subject if isinstance(self.subject, Subject) else SUBJECTS[self.subject]

    def daily_rates(self) -> np.ndarray:
        """Expected messages on each day of the surge."""
        if self.shape == "spike":
            return np.full(self.spike_days, self.rate / self.spike_days)
        days = int(round(self.weeks * 7))
        if self.shape == "step":
            return np.full(days, self.rate / 7.0)
        if self.shape == "ramp":
            return np.linspace(0.15, 1.0, days) * self.rate / 7.0
        raise ValueError(f"shape must be step, ramp or spike, got {self.shape!r}")


@dataclass
class SurgeSet:
    """A built set.

    messages : ``msg_id``, ``sent_at``, ``text``, ``sender_id``, ``label`` (问题领域 of the source row),
        ``source`` (``"background"``/``"surge"``), ``surge_id`` (``""`` for background), ``is_repeat``
        (a re-send of an earlier message by the same sender), ``corpus_row``, ``place`` (the first
        estate name filled into the text, ``""`` if none); sorted by ``sent_at``.
    truth : one row per surge: ``surge_id``, ``subject``, ``shape``, ``rate``, ``weeks``, ``planned_onset``
        (first day of the surge window), ``onset`` (day of its first message), ``end`` (day of its last
        message), ``messages``, ``distinct_messages`` (re-sends excluded), ``weekly`` (counts per week
        of the window, space-separated), ``terms``, ``category``, ``place``, ``msg_ids``.
    params : the arguments, for the record.
    """

    messages: pd.DataFrame
    truth: pd.DataFrame
    params: dict = field(default_factory=dict)

    @property
    def start(self) -> pd.Timestamp:
        return pd.Timestamp(self.params["start"])

    @property
    def end(self) -> pd.Timestamp:
        return self.start + pd.Timedelta(weeks=int(self.params["weeks"])) - pd.Timedelta(seconds=1)


def gazetteer(seed: int = 0, size: int = 120) -> list[str]:
    """``size`` fictional estate names (e.g. 金榆东里, 安华新城, 望湖), seeded order."""
    names = [a + b for a in _STEM_A for b in _STEM_B]
    rng = np.random.default_rng([seed, 9001])
    return [names[i] for i in rng.permutation(len(names))[:size]]


def place_dictionary(surge_set: SurgeSet) -> list[str]:
    """The place names of a set built with ``place_fill=True``: every estate name used with each suffix
    (the "area's places" a registry would list); empty otherwise."""
    return sorted(set(surge_set.messages["place"]) - {""})


def _fill_places(text: str, stem_for_slot) -> tuple[str, str]:
    """Replace each masked place slot (``***`` before a place suffix) by ``stem_for_slot()``; returns the
    new text and the first filled place name with its suffix (``""`` if the text has no slot)."""
    first = ""

    def sub(match: re.Match) -> str:
        nonlocal first
        stem = stem_for_slot()
        if not first:
            after = text[match.end() :]
            first = stem if any(after.startswith(s) for s in PLACE_SUFFIXES) else ""
        return stem

    return _PLACE_SLOT.sub(sub, text), first


def _timestamps(rng: np.random.Generator, days: pd.DatetimeIndex) -> pd.DatetimeIndex:
    hours = rng.choice(24, size=len(days), p=HOUR_WEIGHTS)
    seconds = rng.integers(0, 3600, size=len(days))
    return days + pd.to_timedelta(hours, unit="h") + pd.to_timedelta(seconds, unit="s")


def build_surge_set(
    seed: int,
    *,
    weeks: int = 78,
    background_per_week: float = 300.0,
    surges: Sequence[SurgeSpec] = (),
    subject_in_background: str = "exclude",
    place_fill: bool = False,
    start: str = DEFAULT_START,
    corpus: pd.DataFrame | None = None,
    background_repeat_share: float = 0.03,
    senders: int = 20_000,
) -> SurgeSet:
    """Build one semi-synthetic set (see the module docstring).

    Parameters
    ----------
    seed : the only source of randomness.
    weeks : length of the set in weeks, starting on ``start`` (a Monday).
    background_per_week : expected background messages a week.
    surges : the injected surges (none: a background-only set, for false alarms).
    subject_in_background : ``"exclude"`` or ``"keep"`` (see the module docstring).
    place_fill : fill masked place slots with estate names.
    corpus : ``text`` and ``label`` columns; default :func:`jiesu.evaluation.real_sets.liuyan`.
    background_repeat_share : share of background messages re-sent by the same sender within 1–5 days.
    senders : size of the background sender pool.
    """
    if subject_in_background not in ("exclude", "keep"):
        raise ValueError("subject_in_background must be 'exclude' or 'keep'")
    if corpus is None:
        from jiesu.evaluation.real_sets import liuyan

        corpus = liuyan()
    corpus = corpus.reset_index(drop=True)
    texts = corpus["text"].astype(str).to_numpy()
    labels = corpus["label"].astype(str).to_numpy() if "label" in corpus else np.full(len(corpus), "")
    rng = np.random.default_rng([seed, 12345])
    start_ts = pd.Timestamp(start).normalize()
    n_days = 7 * int(weeks)
    days = pd.date_range(start_ts, periods=n_days, freq="D")
    places = gazetteer(seed)
    place_w = 1.0 / np.arange(1, len(places) + 1) ** 0.8
    place_w /= place_w.sum()

    # --- surge pools (drawn first so background exclusion knows them) ---------------------------------
    subject_masks = {}
    for spec in surges:
        subj = spec.subject_def()
        if subj.name not in subject_masks:
            subject_masks[subj.name] = subj.mask(corpus).to_numpy()
    used = np.zeros(len(corpus), dtype=bool)
    surge_rows, truth_rows = [], []
    for k, spec in enumerate(surges):
        subj = spec.subject_def()
        sid = f"S{k + 1:02d}"
        srng = np.random.default_rng([seed, 777, k])
        pool = np.flatnonzero(subject_masks[subj.name] & ~used)
        pool = pool[srng.permutation(len(pool))]
        rates = spec.daily_rates()
        first_day = 7 * int(spec.onset_week) + int(spec.onset_day)
        counts = srng.poisson(rates)
        if counts.sum() == 0:  # an empty surge cannot be found: give it one message on its first day
            counts[0] = 1
        n_total = int(counts.sum())
        repeats = srng.random(n_total) < spec.repeat_share
        repeats[0] = False
        n_distinct = int((~repeats).sum())
        if n_distinct > len(pool):
            raise ValueError(
                f"surge {sid}: {n_distinct} messages needed, subject {subj.name} has {len(pool)}"
            )
        rows = pool[:n_distinct]
        used[rows] = True
        place = spec.place or places[int(srng.integers(0, 12))]
        day_idx = np.repeat(np.arange(len(counts)), counts) + first_day
        day_idx = day_idx[day_idx < n_days]
        n_total = len(day_idx)
        stamps = np.sort(_timestamps(srng, days[day_idx]))
        repeats = repeats[:n_total]
        out, next_row, surge_senders = [], 0, []
        for i in range(n_total):
            if repeats[i] and out:
                j = int(srng.integers(0, len(out)))
                prefix = REPEAT_PREFIXES[int(srng.integers(0, len(REPEAT_PREFIXES)))]
                base = out[j]
                text = prefix + base["text_raw"]
                row, sender = base["corpus_row"], base["sender_id"]
            else:
                row = int(rows[next_row])
                next_row += 1
                text = texts[row]
                if surge_senders and srng.random() < spec.same_sender_share:
                    sender = surge_senders[int(srng.integers(0, len(surge_senders)))]
                else:
                    sender = f"U{seed:03d}S{k + 1:02d}{len(surge_senders):03d}"
                    surge_senders.append(sender)
            rec = {
                "sent_at": stamps[i],
                "text_raw": text,
                "sender_id": sender,
                "label": labels[row],
                "source": "surge",
                "surge_id": sid,
                "is_repeat": bool(repeats[i] and len(out) > 0),
                "corpus_row": int(row),
            }
            out.append(rec)
        if place_fill:
            for rec in out:
                rec["text"], rec["place"] = _fill_places(rec["text_raw"], lambda p=place: p)
                if not rec["place"] and srng.random() < spec.place_mention:
                    rec["text"], rec["place"] = f"{place}小区：" + rec["text"], place
        else:
            for rec in out:
                rec["text"], rec["place"] = rec["text_raw"], ""
        surge_rows += out
        onset = pd.Timestamp(stamps[0]).normalize() if n_total else pd.NaT
        window_weeks = (first_day + np.arange(len(rates))) // 7
        wk = pd.Series(np.asarray(day_idx) // 7).value_counts().reindex(np.unique(window_weeks), fill_value=0)
        truth_rows.append(
            {
                "surge_id": sid,
                "subject": subj.name,
                "shape": spec.shape,
                "rate": float(spec.rate),
                "weeks": float(spec.weeks) if spec.shape != "spike" else spec.spike_days / 7.0,
                "planned_onset": days[first_day],
                "onset": onset,
                "end": pd.Timestamp(stamps[-1]).normalize() if n_total else pd.NaT,
                "messages": n_total,
                "distinct_messages": int(sum(not r["is_repeat"] for r in out)),
                "weekly": " ".join(str(int(v)) for v in wk.to_numpy()),
                "terms": " ".join(subj.terms),
                "category": subj.category,
                "place": place if place_fill else "",
                "msg_ids": [],  # filled below
            }
        )

    # --- background -------------------------------------------------------------------------------
    excluded = np.zeros(len(corpus), dtype=bool)
    if subject_in_background == "exclude":
        for mask in subject_masks.values():
            excluded |= mask
    excluded |= used
    pool = np.flatnonzero(~excluded)
    day_w = WEEKDAY_WEIGHTS[days.day_of_week.to_numpy()]
    day_w = day_w / WEEKDAY_WEIGHTS.mean()
    noise = rng.gamma(25.0, 1 / 25.0, size=n_days)
    counts = rng.poisson(background_per_week / 7.0 * day_w * noise)
    n_bg = int(counts.sum())
    cycles = int(np.ceil(n_bg / len(pool)))
    order = np.concatenate([pool[rng.permutation(len(pool))] for _ in range(cycles)])[:n_bg]
    day_idx = np.repeat(np.arange(n_days), counts)
    stamps = _timestamps(rng, days[day_idx])
    zipf = 1.0 / np.arange(1, senders + 1) ** 0.6
    sender_ids = rng.choice(senders, size=n_bg, p=zipf / zipf.sum())
    bg = pd.DataFrame(
        {
            "sent_at": stamps,
            "text_raw": texts[order],
            "sender_id": [f"U{seed:03d}B{s:05d}" for s in sender_ids],
            "label": labels[order],
            "source": "background",
            "surge_id": "",
            "is_repeat": False,
            "corpus_row": order,
        }
    )
    resend = np.flatnonzero(rng.random(n_bg) < background_repeat_share)
    if len(resend):
        copies = bg.iloc[resend].copy()
        lag = pd.to_timedelta(rng.uniform(1, 5, size=len(resend)), unit="D")
        copies["sent_at"] = copies["sent_at"] + lag
        prefixes = np.array(REPEAT_PREFIXES, dtype=object)[rng.integers(0, len(REPEAT_PREFIXES), len(resend))]
        copies["text_raw"] = prefixes + copies["text_raw"].to_numpy()
        copies["is_repeat"] = True
        bg = pd.concat([bg, copies.loc[copies["sent_at"] < days[-1] + DAY]], ignore_index=True)
    if place_fill:
        picks = iter(rng.choice(len(places), size=4 * len(bg) + 16, p=place_w))
        filled = [_fill_places(t, lambda: places[next(picks)]) for t in bg["text_raw"]]
        bg["text"] = [f[0] for f in filled]
        bg["place"] = [f[1] for f in filled]
    else:
        bg["text"], bg["place"] = bg["text_raw"], ""

    surge = pd.DataFrame(surge_rows, columns=list(bg.columns)) if surge_rows else bg.iloc[0:0]
    messages = pd.concat([bg, surge], ignore_index=True).drop(columns="text_raw")
    messages["sent_at"] = pd.to_datetime(messages["sent_at"]).astype("datetime64[us]")
    messages = messages.sort_values(["sent_at", "source", "corpus_row"], kind="stable").reset_index(drop=True)
    messages.insert(0, "msg_id", [f"R{seed:03d}-{i:06d}" for i in range(len(messages))])
    messages = messages[
        [
            "msg_id",
            "sent_at",
            "text",
            "sender_id",
            "label",
            "source",
            "surge_id",
            "is_repeat",
            "corpus_row",
            "place",
        ]
    ]
    truth = pd.DataFrame(
        truth_rows,
        columns=[
            "surge_id",
            "subject",
            "shape",
            "rate",
            "weeks",
            "planned_onset",
            "onset",
            "end",
            "messages",
            "distinct_messages",
            "weekly",
            "terms",
            "category",
            "place",
            "msg_ids",
        ],
    )
    if len(truth):
        ids = messages.loc[messages["source"] == "surge"].groupby("surge_id")["msg_id"].agg(list)
        truth["msg_ids"] = truth["surge_id"].map(ids).map(lambda v: v if isinstance(v, list) else [])
    params = {
        "seed": seed,
        "weeks": int(weeks),
        "background_per_week": float(background_per_week),
        "surges": [
            asdict(s) if not isinstance(s.subject, Subject) else {**asdict(s), "subject": s.subject.name}
            for s in surges
        ],
        "subject_in_background": subject_in_background,
        "place_fill": bool(place_fill),
        "start": str(start_ts.date()),
        "background_repeat_share": background_repeat_share,
    }
    return SurgeSet(messages=messages, truth=truth, params=params)


# --------------------------------------------------------------------------------------------------
# The benchmark's standard sets
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SetConfig:
    """A named recipe for :func:`build_surge_set` (the benchmark builds each for several seeds)."""

    name: str
    surges: tuple[SurgeSpec, ...] = ()
    weeks: int = 78
    background_per_week: float = 300.0
    subject_in_background: str = "exclude"
    place_fill: bool = False

    def build(self, seed: int, corpus: pd.DataFrame | None = None) -> SurgeSet:
        return build_surge_set(
            seed,
            weeks=self.weeks,
            background_per_week=self.background_per_week,
            surges=self.surges,
            subject_in_background=self.subject_in_background,
            place_fill=self.place_fill,
            corpus=corpus,
        )


def standard_configs() -> list[SetConfig]:
    """The benchmark's sets: background-only sets at two volumes, and surge sets of every shape and of
    rates 2–15 a week, 2–4 weeks long, with the subject new ("exclude") or standing ("keep").

    Onsets are at weeks ≥ 20 (after 12 weeks of burn-in and a few quiet weeks) and, in the 78-week sets,
    some are after week 52 so the same-season baseline is exercised; surges in one set are ≥ 8 weeks apart.
    """
    S = SurgeSpec
    return [
        SetConfig("background-300", ()),
        SetConfig("background-600", (), background_per_week=600.0),
        SetConfig("background-300-places", (), place_fill=True),
        SetConfig(
            "steps-new",
            (
                S("construction_noise", 20, weeks=4, shape="step", rate=6),
                S("hukou_points", 32, weeks=3, shape="step", rate=10),
                S("ev_charging", 44, weeks=2, shape="step", rate=15),
                S("elevator_retrofit", 58, weeks=4, shape="step", rate=4),
                S("garbage", 68, weeks=3, shape="step", rate=8),
            ),
        ),
        SetConfig(
            "ramps-new",
            (
                S("covid_test", 22, weeks=4, shape="ramp", rate=12),
                S("construction_noise", 36, weeks=3, shape="ramp", rate=15),
                S("heating", 50, weeks=4, shape="ramp", rate=8),
                S("kindergarten", 64, weeks=3, shape="ramp", rate=10),
            ),
        ),
        SetConfig(
            "spikes-new",
            (
                S("ev_charging", 21, shape="spike", rate=10, spike_days=3),
                S("hukou_points", 31, shape="spike", rate=8, spike_days=2),
                S("construction_noise", 41, shape="spike", rate=12, spike_days=3),
                S("covid_test", 53, shape="spike", rate=15, spike_days=4),
                S("garbage", 65, shape="spike", rate=8, spike_days=3),
            ),
        ),
        SetConfig(
            "low-rate-new",
            (
                S("construction_noise", 24, weeks=4, shape="step", rate=3),
                S("heating", 40, weeks=4, shape="ramp", rate=5),
                S("covid_test", 56, weeks=3, shape="step", rate=4),
                S("ev_charging", 68, weeks=4, shape="step", rate=2),
            ),
        ),
        SetConfig(
            "standing-subject",
            (
                S("metro", 24, weeks=3, shape="step", rate=12),
                S("kindergarten", 40, weeks=4, shape="ramp", rate=15),
                S("construction_noise", 56, weeks=3, shape="step", rate=8),
                S("covid_test", 68, weeks=3, shape="step", rate=10),
            ),
            subject_in_background="keep",
        ),
        SetConfig(
            "standing-subject-places",
            (
                S("metro", 24, weeks=3, shape="step", rate=8, place_mention=0.8),
                S("construction_noise", 40, weeks=4, shape="ramp", rate=10, place_mention=0.8),
                S("heating", 56, weeks=3, shape="step", rate=6, place_mention=0.8),
                S("covid_test", 68, weeks=3, shape="spike", rate=10, place_mention=0.8),
            ),
            subject_in_background="keep",
            place_fill=True,
        ),
        SetConfig(
            "local-issues-places",
            (
                S("construction_noise", 22, weeks=4, shape="step", rate=5, place_mention=0.8),
                S("elevator_retrofit", 34, weeks=3, shape="ramp", rate=8, place_mention=0.8),
                S("garbage", 46, weeks=2, shape="step", rate=6, place_mention=0.8),
                S("ev_charging", 58, shape="spike", rate=8, place_mention=0.8),
                S("heating", 68, weeks=3, shape="step", rate=4, place_mention=0.8),
            ),
            place_fill=True,
        ),
    ]
