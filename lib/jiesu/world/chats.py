"""The chat messages of one community's groups over the preset's window.

Per group a Poisson stream of everyday messages (daily/weekly rhythm, heavy-tailed lognormal sender
activity) plus issue threads (report → staff reply → close with ``[图片]`` → thanks) whose rates follow
each category's season, plus (focus community only) the planted keyword bursts; 园园 posts notices
and invites new members.  Texts are composed by :class:`jiesu.world.chatgen.Composer`; the model's
numbers are :class:`~jiesu.world.spec.ChatModel`.

Timing comes from the ``CHATS`` stream and texts (and the small choices made while composing) from
the ``COMPOSER`` stream, so the phases below are generated in a fixed order: issue threads, bursts,
notices, invitations, everyday chatter.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from jiesu.categories import BY_CODE, CATEGORIES
from jiesu.world import chatgen, streams, vocabulary
from jiesu.world.accounts import YUANYUAN_ROLE
from jiesu.world.groups import Groups
from jiesu.world.spec import BURSTS, CHATS, FOCUS, ChatModel, CommunitySpec, Preset

DAY = 86400  # seconds
HOUR = 3600
TYPE_CODES = {"文本": 1, "图片": 3, "语音": 34, "表情": 47, "系统": 10000}
"""WeChat message type codes of the WeChatMsg export."""
COLUMNS = ("g", "t", "a", "type", "text", "cat", "role", "thread", "burst")


@dataclass(frozen=True)
class Chats:
    """All messages of a community's chats, and its burst threads.

    ``messages`` has one row per message: ``g`` (group row), ``t`` (seconds since the window start,
    Beijing time), ``a`` (account row), ``type``, ``text``, ``cat`` (category code or ""), ``role``
    (report, reply, close, followup, chatter, system), ``thread``, ``burst``; sorted by t, g, a.
    ``burst_threads`` lists the planted burst threads (``burst_id``, ``thread_id``, ``t0``,
    ``reporter``, ``category``) that may spill over into 12345.
    """

    messages: pd.DataFrame
    burst_threads: list[dict]


def hour_profile(model: ChatModel = CHATS, *, daytime: bool = False) -> np.ndarray:
    """Share of messages by hour of day (sums to 1); ``daytime`` damps the night hours further
    (issue reports)."""
    profile = np.array(model.hour_weights)
    profile = profile / profile.sum()
    if daytime:
        profile = profile.copy()
        profile[list(model.night_hours)] *= model.night_damping
        profile = profile / profile.sum()
    return profile


def season_mask(code: str, days: pd.DatetimeIndex, model: ChatModel = CHATS) -> np.ndarray:
    """Whether each day is in the chat season of category ``code``."""
    m, d = days.month.to_numpy(), days.day.to_numpy()
    if code == "heating":
        (first_m, first_d), (last_m, last_d) = model.heating_period
        return (
            ((m == first_m) & (d >= first_d)) | (m > first_m) | (m < last_m) | ((m == last_m) & (d <= last_d))
        )
    if code == "garbage":
        return days >= pd.Timestamp(model.garbage_from)
    if code == "epidemic":
        first, last = model.epidemic_period
        return (days >= pd.Timestamp(first)) & (days <= pd.Timestamp(last))
    return np.isin(m, BY_CODE[code].months)


class _Messages:
    """Accumulates messages as parallel lists (fast appends), one row per message."""

    def __init__(self):
        self.cols: dict[str, list] = {k: [] for k in COLUMNS}

    def add(self, g, t, a, mtype, text, cat="", role="chatter", thread="", burst=""):
        for key, value in zip(COLUMNS, (g, t, a, mtype, text, cat, role, thread, burst), strict=True):
            self.cols[key].append(value)

    def __len__(self) -> int:
        return len(self.cols["g"])


class ChatGenerator:
    """Generates one community's chats; :meth:`generate` runs the phases in their fixed order."""

    def __init__(
        self,
        accounts: pd.DataFrame,
        groups: Groups,
        preset: Preset,
        seed: int,
        spec: CommunitySpec = FOCUS,
        model: ChatModel = CHATS,
    ):
        import opencc  # only worlds with Traditional-script residents convert text

        self.rng = streams.stream(seed, streams.CHATS, spec.index)
        self.comp = chatgen.Composer(
            streams.stream(seed, streams.COMPOSER, spec.index), to_traditional=opencc.OpenCC("s2t").convert
        )
        self.spec, self.model, self.preset, self.groups = spec, model, preset, groups
        self.start = pd.Timestamp(preset.chat_start)
        self.days = pd.date_range(preset.chat_start, preset.chat_end, freq="D")
        self.n_days = len(self.days)
        self.acc = accounts
        self.weight = accounts["weight"].to_numpy()
        self.is_res = (accounts["resident_key"] != "").to_numpy()
        self.role = accounts["role"].to_numpy()
        self.display = accounts["display"].to_numpy()
        self.building = accounts["building"].to_numpy()
        self.unit = accounts["unit"].to_numpy()
        self.room = accounts["room"].to_numpy()
        mem = groups.members
        joined_day = ((mem["joined"] - self.start).dt.days).to_numpy()
        self.members_of = {
            g: (sub["account_idx"].to_numpy(), joined_day[sub.index.to_numpy()])
            for g, sub in mem.groupby("group_idx")
        }
        self.yuanyuan = int(np.flatnonzero(self.role == YUANYUAN_ROLE)[0])
        self.day_profile = hour_profile(model, daytime=True)
        self.chat = _Messages()
        self.threads = 0
        self.burst_threads: list[dict] = []
        growing = self.n_days > model.growth_min_days
        self.growth = (
            model.growth_start + model.growth_gain * np.linspace(0, 1, self.n_days)
            if growing
            else np.ones(self.n_days)
        )

    # ------------------------------------------------------------------------------------ the phases
    def generate(self, progress=None) -> Chats:
        """All messages of the window (``progress``: a tqdm-like bar, advanced three times)."""
        step = progress.update if progress else (lambda _n: None)
        self.issue_threads()
        step(1)
        self.planted_bursts()
        step(1)
        self.notices()
        self.invitations()
        bulk = self.everyday_chatter()
        step(1)
        return Chats(self._frame(bulk), self.burst_threads)

    def issue_threads(self) -> None:
        """Threads of every category at its seasonal daily rate (flood threads come in rain spells)."""
        m = self.model
        for cat in CATEGORIES:
            off = 0.0 if cat.code in m.campaigns else m.off_season_rate
            lam = (
                m.thread_rate[cat.code]
                * np.where(season_mask(cat.code, self.days, m), 1.0, off)
                * self.growth
            )
            if cat.code == "flood":
                lam = lam * self.rng.gamma(*m.flood_spell, self.n_days)
            counts = self.rng.poisson(lam)
            for day in np.repeat(np.arange(self.n_days), counts):
                b = int(self.rng.integers(1, len(self.spec.layout) + 1))
                g = self.group_for(cat.code, b)
                reporter = self.pick_member(g, int(day), residents_only=True)
                self.thread(cat.code, g, self.timestamp(int(day)), reporter)

    def planted_bursts(self) -> None:
        """The planted bursts inside the window (focus community only): threads per day rise and fall
        as ``peak·sin(π·x) + base`` over the burst."""
        m = self.model
        end = pd.Timestamp(self.preset.chat_end)
        for burst in BURSTS if self.spec.is_focus else ():
            on = pd.Timestamp(burst.onset)
            if on < self.start or on + pd.Timedelta(days=burst.duration_days) > end + pd.Timedelta(days=1):
                continue
            g_main = self.groups.index_of(burst.group_kind, burst.building)
            first = (on - self.start).days
            for d in range(first, first + burst.duration_days):
                x = (d - first + 0.5) / burst.duration_days
                for _ in range(int(self.rng.poisson(m.burst_peak * math.sin(math.pi * x) + m.burst_base))):
                    g = g_main
                    if burst.group_kind == "building" and self.comp.u() < m.burst_side_group_p:
                        g = self.groups.index_of(
                            "heating_property" if burst.category == "heating" else "repair"
                        )
                    building = burst.building if g == g_main and burst.building else 0
                    reporter = self.pick_member(g, d, residents_only=True, building=building)
                    t0 = self.timestamp(d)
                    tid = self.thread(burst.category, g, t0, reporter, burst.id, burst.terms)
                    self.burst_threads.append(
                        {
                            "burst_id": burst.id,
                            "thread_id": tid,
                            "t0": t0,
                            "reporter": reporter,
                            "category": burst.category,
                        }
                    )

    def notices(self) -> None:
        """园园's notices in every group: activities, and campaign notices in season."""
        m = self.model
        epi_first, epi_last = (pd.Timestamp(x) for x in m.epidemic_notices)
        garbage_from = pd.Timestamp(m.garbage_notices_from)
        for g in range(len(self.groups.kinds)):
            for day in np.flatnonzero(self.rng.random(self.n_days) < m.notice_p):
                cat = None
                dd = self.days[day]
                if epi_first <= dd <= epi_last and self.comp.u() < m.epidemic_notice_p:
                    cat = "epidemic"
                elif dd >= garbage_from and self.comp.u() < m.garbage_notice_p:
                    cat = "garbage"
                t = day * DAY + m.notice_hour * HOUR + float(self.rng.integers(0, m.notice_spread_s))
                self.chat.add(
                    g,
                    t,
                    self.yuanyuan,
                    "文本",
                    self.comp.announcement(cat),
                    cat or "",
                    "followup" if cat else "chatter",
                )

    def invitations(self) -> None:
        """System messages for members who joined during the window."""
        m = self.model
        for g, (ids, jd) in self.members_of.items():
            late = np.flatnonzero((jd >= 0) & (jd < self.n_days))
            for i in late:
                inviter = (
                    self.yuanyuan
                    if self.comp.u() < m.invited_by_yuanyuan_p
                    else self.pick_member(g, int(jd[i]), residents_only=True)
                )
                text = f'"{self.display[inviter]}"邀请"{self.display[ids[i]]}"加入了群聊'
                t = (
                    jd[i] * DAY
                    + m.invitation_hour * HOUR
                    + float(self.rng.integers(0, m.invitation_spread_s))
                )
                self.chat.add(g, t, inviter, "系统", text, "", "system")

    def everyday_chatter(self) -> pd.DataFrame:
        """Everyday messages filling up to the preset's target, spread over groups by their chatter
        weights, over days by the weekly rhythm and the lockdown, over hours by the daily rhythm."""
        m = self.model
        remaining = max(int(self.preset.messages * self.spec.message_share) - len(self.chat), 0)
        weekday = np.where(self.days.day_of_week.to_numpy() >= 5, m.weekend_factor, 1.0)
        lock_first, lock_last = (pd.Timestamp(x) for x in m.lockdown)
        lockdown = np.where((self.days >= lock_first) & (self.days <= lock_last), m.lockdown_factor, 1.0)
        day_w = weekday * lockdown * self.growth
        rates = np.array(self.groups.weights)
        per_group = self.rng.multinomial(remaining, rates / rates.sum())
        hours_p = hour_profile(m)
        parts = [self._group_chatter(g, n, day_w, hours_p) for g, n in enumerate(per_group)]
        gs, ts, senders, targets = (np.concatenate(column) for column in zip(*parts, strict=True))
        mention = (self.rng.random(len(gs)) < m.chatter_mention_p) & (targets != senders)
        mtype = self.rng.choice(list(m.chatter_types), len(gs), p=list(m.chatter_type_p))
        hours = (ts % DAY) // HOUR
        texts = [
            (f"@{self.display[target]}{vocabulary.MENTION_SPACE}" if at else "") + self.comp.chatter(int(h))
            if kind == "文本"
            else ("[图片]" if kind == "图片" else "[动画表情]" if kind == "表情" else "[语音]")
            for kind, h, at, target in zip(mtype, hours, mention, targets, strict=True)
        ]
        return pd.DataFrame(
            {
                "g": gs,
                "t": ts.astype(float),
                "a": senders,
                "type": mtype,
                "text": texts,
                "cat": "",
                "role": "chatter",
                "thread": "",
                "burst": "",
            }
        )

    def _group_chatter(
        self, g: int, n: int, day_w: np.ndarray, hours_p: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """``n`` chatter messages of group ``g``: (group, time, sender, @-target) arrays."""
        rng = self.rng
        day_idx = rng.choice(self.n_days, n, p=day_w / day_w.sum())
        hours = rng.choice(24, n, p=hours_p)
        t = day_idx * DAY + hours * HOUR + rng.integers(0, HOUR, n)
        ids, jd = self.members_of[g]
        w = self.weight[ids] * np.where(self.is_res[ids], 1.0, self.model.staff_chatter)
        cum = np.cumsum(w)
        who = np.searchsorted(cum, rng.random(n) * cum[-1], side="right").clip(0, len(ids) - 1)
        for _ in range(self.model.join_retries):  # a member speaks only after joining
            bad = jd[who] > day_idx
            if not bad.any():
                break
            who[bad] = np.searchsorted(cum, rng.random(int(bad.sum())) * cum[-1], side="right").clip(
                0, len(ids) - 1
            )
        bad = jd[who] > day_idx
        who[bad] = int(np.argmin(jd))
        # a few messages answer someone in particular (@name)
        target = ids[np.searchsorted(cum, rng.random(n) * cum[-1], side="right").clip(0, len(ids) - 1)]
        return np.full(n, g), t, ids[who], target

    def _frame(self, bulk: pd.DataFrame) -> pd.DataFrame:
        frame = pd.concat([pd.DataFrame(self.chat.cols), bulk], ignore_index=True)
        frame = frame[(frame["t"] >= 0) & (frame["t"] < self.n_days * DAY)]
        frame["t"] = frame["t"].astype(np.int64)
        return frame.sort_values(["t", "g", "a"], kind="stable").reset_index(drop=True)

    # ------------------------------------------------------------------------------------ draws
    def pick_member(self, g: int, day: int, *, residents_only: bool, building: int = 0) -> int:
        """A member of group ``g`` who had joined by ``day``, weighted by chat activity."""
        ids, jd = self.members_of[g]
        ok = jd <= day
        if residents_only:
            ok &= self.is_res[ids]
        if building:
            ok &= self.building[ids] == building
        cand = ids[ok]
        if len(cand) == 0:
            cand = ids[self.is_res[ids]] if residents_only else ids
        w = self.weight[cand]
        return int(
            cand[np.searchsorted(np.cumsum(w), self.comp.u() * w.sum(), side="right").clip(0, len(cand) - 1)]
        )

    def responder(self, g: int, category: str) -> int:
        """Who answers a ``category`` report in group ``g``: the category's role, a social worker, or 园园."""
        ids, _ = self.members_of[g]
        cands = ids[self.role[ids] == self.model.responder_role[category]]
        if len(cands) == 0:
            cands = ids[self.role[ids] == "社工"]
        if len(cands) == 0 or self.comp.u() < self.model.yuanyuan_answers_p:
            return self.yuanyuan
        return int(cands[int(self.comp.u() * len(cands))])

    def group_for(self, category: str, building: int) -> int:
        """The group a ``category`` report from ``building`` is posted in."""
        opts = self.model.thread_groups[category]
        i = np.searchsorted(np.cumsum(list(opts.values())), self.comp.u(), side="right").clip(
            0, len(opts) - 1
        )
        return self.groups.index_of(list(opts)[i], building)

    def reply_delay(self, hour: float) -> float:
        """Seconds to the first staff reply: minutes in the daytime, next morning at night."""
        m = self.model
        if m.reply_day_hours[0] <= hour < m.reply_day_hours[1]:
            return float(np.exp(self.rng.normal(np.log(m.reply_median_s), m.reply_sigma)))
        wait = ((24 - hour + m.morning_hour) % 24) * HOUR
        return wait + float(self.rng.exponential(m.morning_wait_s))

    def timestamp(self, day: int) -> float:
        """A daytime moment of ``day`` (seconds since the window start)."""
        hour = int(self.rng.choice(24, p=self.day_profile))
        return day * DAY + hour * HOUR + float(self.rng.integers(0, HOUR))

    def working_hours(self, t: float) -> float:
        """``t`` if it falls in working hours, else the next morning: repairs are done and photographed in
        the daytime."""
        m = self.model
        day, second = divmod(t, DAY)
        if m.working_hours[0] * HOUR <= second < m.working_hours[1] * HOUR:
            return t
        next_day = day + (1 if second >= m.working_hours[1] * HOUR else 0)
        return next_day * DAY + m.working_hours[0] * HOUR + float(self.rng.integers(0, m.next_morning_s))

    # ------------------------------------------------------------------------------------ one thread
    def thread(
        self, category: str, g: int, t0: float, reporter: int, burst_id: str = "", terms: tuple = ()
    ) -> str:
        """One issue thread: the report, me-too replies, the staff reply, and the close (or, for an
        epidemic question, thanks for the answer).  Returns the thread id."""
        self.threads += 1
        tid = f"T{self.threads:06d}"
        ids = dict(cat=category, thread=tid, burst=burst_id)
        b, u, r = int(self.building[reporter]), int(self.unit[reporter]), int(self.room[reporter])
        place = self.comp.zpick(
            (
                f"{b}号楼{u}单元",
                f"{b}号楼",
                "我家",
                f"{b}#{u}",
                f"{b}号楼{u}单元{r}",
                "我们楼",
                f"{b}号楼{u}门",
            )
        )
        resp = self.responder(g, category)
        mention = self.display[resp] if self.comp.u() < self.model.mention_p else ""
        report = self.comp.report(category, place, mention=mention, terms=terms)
        self.chat.add(g, t0, reporter, "文本", report, role="report", **ids)
        self._followups(category, g, t0, reporter, place, ids)
        t_reply = t0 + self.reply_delay((t0 % DAY) / HOUR)
        reply_role = self.role[resp] if self.role[resp] in vocabulary.REPLIES else "社工"
        self.chat.add(
            g,
            t_reply,
            resp,
            "文本",
            self.comp.reply(reply_role, category, self.display[reporter]),
            role="reply",
            **ids,
        )
        if category == "epidemic":  # questions: the answer settles it
            self._question_thanks(g, t_reply, reporter, ids)
        elif self.comp.u() < self.model.closed_p:
            self._close(category, g, t_reply, resp, reporter, ids)
        return tid

    def _followups(self, category: str, g: int, t0: float, reporter: int, place: str, ids: dict) -> None:
        m = self.model
        t = t0
        for _ in range(int(self.rng.poisson(m.followups[0] if ids["burst"] else m.followups[1]))):
            t += float(self.rng.exponential(m.followup_gap_s))
            neighbour = self.pick_member(g, int(t // DAY), residents_only=True)
            if neighbour == reporter:
                continue
            self.chat.add(g, t, neighbour, "文本", self.comp.metoo(category, place), role="followup", **ids)

    def _question_thanks(self, g: int, t_reply: float, reporter: int, ids: dict) -> None:
        if self.comp.u() < self.model.question_thanks_p:
            mean, minimum = self.model.question_thanks_s
            t = t_reply + float(self.rng.exponential(mean)) + minimum
            self.chat.add(g, t, reporter, "文本", self.comp.thanks(plain=True), role="followup", **ids)

    def _close(self, category: str, g: int, t_reply: float, resp: int, reporter: int, ids: dict) -> None:
        m = self.model
        t_close = self.working_hours(
            t_reply
            + m.close_after_s
            + float(np.exp(self.rng.normal(np.log(m.close_median_s), m.close_sigma)))
        )
        self.chat.add(g, t_close, resp, "文本", self.comp.close(category), role="close", **ids)
        self.chat.add(
            g,
            t_close + float(self.rng.integers(*m.photo_after_s)),
            resp,
            "图片",
            "[图片]",
            role="close",
            **ids,
        )
        if self.comp.u() < m.close_thanks_p:
            mean, minimum = m.close_thanks_s
            t = t_close + float(self.rng.exponential(mean)) + minimum
            self.chat.add(g, t, reporter, "文本", self.comp.thanks(), role="followup", **ids)


def generate_chats(
    accounts: pd.DataFrame,
    groups: Groups,
    preset: Preset,
    seed: int,
    progress=None,
    spec: CommunitySpec = FOCUS,
) -> Chats:
    """All chat messages of ``spec``'s community over the preset's window (see :class:`ChatGenerator`)."""
    return ChatGenerator(accounts, groups, preset, seed, spec).generate(progress)
