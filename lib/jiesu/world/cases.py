"""12345 work orders (工单) of one community, instantiated from its rows of the area panel.

Each panel count becomes that many cases in the month and category: a caller (usually a registry
resident, drawn by a heavy-tailed propensity that is higher in households outside 园园's reach), a
诉求内容 in the call-taker's register, a handler, and the 三率 outcomes.  Burst threads of the focus
community's chats spill over into cases a few days later (often before the intervention, rarely
after); such cases replace ordinary ones of the same month × category.  Afterwards the community's
panel rows are its cases aggregated, so the panel and the work orders always agree.  The numbers are
:class:`~jiesu.world.spec.CaseModel`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from jiesu.categories import BY_CODE, OTHER
from jiesu.world import names, streams, vocabulary
from jiesu.world.community import records
from jiesu.world.panel import PROBABILITIES
from jiesu.world.registries import maybe_typo
from jiesu.world.spec import (
    BURSTS,
    CASES,
    FOCUS,
    SURGE_MONTH,
    THREE_RATES,
    CaseModel,
    CommunitySpec,
    Preset,
    ThreeRatesModel,
    ramp,
)

HANDLERS = {  # 承办单位 by category
    "heating": "供热公司",
    "flood": "地区城建科",
    "wind": "地区安全科",
    "garbage": "地区环境办",
    "epidemic": "地区防控办",
    "lighting": "物业公司",
    "parking": "地区城管科",
    "noise": "属地派出所",
    "vendors": "城管执法队",
    "security": "属地派出所",
    OTHER: "社区居委会",
}
REQUEST_TYPES = ("咨询", "求助", "投诉", "举报", "建议")
REQUEST_TYPE_P = {  # share of 咨询 求助 投诉 举报 建议 by category
    "heating": (0.1, 0.5, 0.35, 0.0, 0.05),
    "flood": (0.05, 0.5, 0.4, 0.0, 0.05),
    "wind": (0.05, 0.45, 0.3, 0.15, 0.05),
    "garbage": (0.2, 0.1, 0.5, 0.1, 0.1),
    "epidemic": (0.6, 0.2, 0.1, 0.05, 0.05),
    "lighting": (0.05, 0.55, 0.35, 0.0, 0.05),
    "parking": (0.15, 0.15, 0.5, 0.1, 0.1),
    "noise": (0.0, 0.05, 0.7, 0.25, 0.0),
    "vendors": (0.0, 0.0, 0.45, 0.55, 0.0),
    "security": (0.05, 0.3, 0.2, 0.45, 0.0),
    OTHER: (0.35, 0.2, 0.3, 0.05, 0.1),
}
CASE_TEXT = {
    "heating": (
        "{addr}家中暖气不热，室温过低",
        "{addr}暖气漏水，影响楼下",
        "{addr}暖气片不热，多次联系未解决",
    ),
    "flood": ("{addr}附近雨篦子堵塞，路面积水", "{addr}顶层漏雨，屋内渗水", "{addr}楼门口积水严重"),
    "wind": ("{addr}楼顶物品松动，有高空坠物风险", "{addr}附近广告牌被大风吹松", "{addr}外墙保温层脱落"),
    "garbage": ("{addr}附近垃圾桶满溢无人清运", "{addr}桶站异味严重", "{addr}垃圾分类桶站设置不合理"),
    "epidemic": ("咨询小区出入证办理", "反映{addr}有返京人员未登记", "咨询居家观察相关规定"),
    "lighting": ("{addr}楼道灯损坏不亮", "{addr}声控灯失灵", "{addr}楼道照明长期损坏"),
    "parking": ("{addr}附近车辆乱停乱放", "{addr}车棚台阶过高无法推车", "{addr}电动车楼道充电存在隐患"),
    "noise": ("{addr}楼上装修噪音扰民", "{addr}附近夜间施工扰民", "{addr}附近广场舞音响扰民"),
    "vendors": ("{addr}附近有无照商贩占道经营", "{addr}门口流动商贩堵路", "{addr}附近烧烤摊油烟扰民"),
    "security": ("{addr}单元门禁损坏", "{addr}有可疑人员敲门", "{addr}电动车电瓶被盗"),
    OTHER: (
        "{addr}物业服务不到位",
        "咨询{addr}老旧小区改造进度",
        "{addr}供水水压不足",
        "{addr}绿化带无人维护",
    ),
}
LEVEL3_OTHER = ("物业服务", "老旧小区改造", "供水", "绿化")
CASE_OPENINGS = ("市民来电反映：", "来电人反映：", "市民反映：", "来电人称，", "市民来电称：")
CASE_DEMANDS = (
    "希望尽快处理。",
    "要求相关部门解决。",
    "请相关部门核实处理。",
    "已多次向物业反映未果，要求尽快解决。",
    "希望社区协调。",
    "要求给予答复。",
    "诉求人情绪激动，要求尽快处理。",
)
BURST_PHRASE = {b.id: b.terms[0] for b in BURSTS}
"""The phrase a spilled case repeats from its burst."""
COUNTS = ("requests", "responded", "resolved", "rated", "satisfied")


@dataclass(frozen=True)
class Cases:
    """A community's work orders: the raw ``hotline_cases.xlsx`` table (sorted by 受理时间), the
    planted side table (``case_id``, ``category``, ``household_id``, ``resident_key``, ``thread_id``,
    ``burst_id``, in the same order), and the complainant truth."""

    table: pd.DataFrame
    planted: pd.DataFrame
    truth: dict


def spill_probability(month: str, model: CaseModel = CASES) -> float:
    """Probability that a burst thread also becomes a 12345 case: 0.5 before the intervention, 0.05
    once it is in full effect, linear over the ramp."""
    r = ramp(month)
    return model.spill_p[0] * (1 - r) + model.spill_p[1] * r


def spill_lag_days(seed: int, burst_id: str, model: CaseModel = CASES) -> int:
    """Days from a burst's chat reports to its spilled calls (3–5, one lag per burst)."""
    return int(streams.stream(seed, streams.SPILL_LAG + int(burst_id[1:])).integers(*model.spill_lag_days))


def case_content(
    code: str, place: str, rng: np.random.Generator, *, term: str = "", model: CaseModel = CASES
) -> str:
    """诉求内容 in the 12345 call-taker's register: opening, place + problem, demand.  Problems come from
    the case templates or the residents' own phrases (``vocabulary.PROBLEMS``); a case that spilled over from
    a chat burst repeats the burst's leading phrase (``term``)."""
    if term:
        body = f"{place}{term}"
    elif code in vocabulary.PROBLEMS and code != "epidemic" and rng.random() < model.chat_words_p:
        problems = vocabulary.PROBLEMS[code]
        body = f"{place}{problems[int(rng.integers(len(problems)))]}"
    else:
        texts = CASE_TEXT[code]
        body = texts[int(rng.integers(len(texts)))].format(addr=place)
    opening = CASE_OPENINGS[int(rng.integers(len(CASE_OPENINGS)))]
    return f"{opening}{body}，{CASE_DEMANDS[int(rng.integers(len(CASE_DEMANDS)))]}"


class _CaseMaker:
    """Draws the work orders of one community in panel order (month, category)."""

    def __init__(self, res, hh, uncovered, spec: CommunitySpec, rng, handling, rates: dict, model: CaseModel):
        self.rng, self.handling, self.rates, self.spec, self.m = rng, handling, rates, spec, model
        adults = res[res["age"] >= 18].reset_index(drop=True)
        # complainant propensity: heavy-tailed; uncovered households call more (no 园园 to turn to)
        prop = rng.pareto(model.propensity_shape, len(adults)) + model.propensity_floor
        prop *= np.where(adults["household_id"].isin(set(uncovered)), model.uncovered_propensity, 1.0)
        self.cum = np.cumsum(prop)
        self.adult_keys = adults["resident_key"].tolist()
        self.hh_idx = {h["household_id"]: h for h in records(hh)}
        self.people = {p["resident_key"]: p for p in records(res)}
        self.seq = 0

    def case(self, month: str, code: str, spill: dict | None) -> tuple[dict, dict]:
        """One work order of ``code`` received in ``month`` (``spill``: the burst thread it comes from)."""
        rng, m = self.rng, self.m
        self.seq += 1
        if spill is not None:
            received, key = spill["received"], spill["resident_key"]
            thread_id, burst_id = spill["thread_id"], spill["burst_id"]
        else:
            mstart = pd.Timestamp(month + "-01")
            received = mstart + pd.Timedelta(
                days=int(rng.integers(0, mstart.days_in_month)),
                hours=int(rng.integers(*m.call_hours)),
                minutes=int(rng.integers(0, 60)),
            )
            key, thread_id, burst_id = None, "", ""
            if rng.random() < m.registry_caller_p:
                key = self.adult_keys[
                    int(np.searchsorted(self.cum, rng.random() * self.cum[-1], side="right"))
                ]
        hid, cname, phone = self._caller(key)
        issue_addr, place = self._place(hid)
        content = case_content(code, place, rng, term=BURST_PHRASE.get(burst_id, ""), model=m)
        cat = BY_CODE.get(code)
        level3 = cat.level3 if cat else LEVEL3_OTHER
        level3 = level3[int(rng.integers(len(level3)))]
        rtype = REQUEST_TYPES[int(rng.choice(len(REQUEST_TYPES), p=REQUEST_TYPE_P[code]))]
        case_id = f"{received:%Y%m%d}{self.seq:06d}"
        row = {
            "工单编号": case_id,
            "受理时间": received.to_pydatetime(),
            "诉求类型": rtype,
            "一级分类": cat.level1 if cat else "其他",
            "二级分类": cat.label if cat else "其他",
            "三级分类": level3,
            "诉求内容": content,
            "诉求地址": issue_addr,
            "诉求人": cname,
            "联系电话": phone,
            "承办单位": HANDLERS[code],
            **self._handling(month, received),
        }
        planted = {
            "case_id": case_id,
            "category": code,
            "household_id": hid,
            "resident_key": key or "",
            "thread_id": thread_id,
            "burst_id": burst_id,
        }
        return row, planted

    def _caller(self, key: str | None) -> tuple[str, str, str]:
        """(household id or "", name as written, phone) of the caller."""
        rng, m = self.rng, self.m
        if key:
            person = self.people[key]
            cname = maybe_typo(person["name"], rng, m.name_typo_p)
            phone = person["phone"] if rng.random() < m.current_phone_p else person["phone_2018"]
            return person["household_id"], cname, phone
        # a caller not in the registry (passer-by, someone who gave no address)
        cname = (
            ""
            if rng.random() < m.anonymous_p
            else names.person_names(
                rng,
                np.array([int(rng.integers(*m.caller_birth_year))]),
                np.array(["M" if rng.random() < m.caller_male_p else "F"]),
            )[0]
        )
        return "", cname, names.phone_numbers(rng, 1)[0]

    def _place(self, hid: str) -> tuple[str, str]:
        """(诉求地址, the place named in 诉求内容)."""
        rng, m, spec = self.rng, self.m, self.spec
        if not hid:
            issue_addr = spec.estate + (
                "南门"
                if rng.random() < m.south_gate_p
                else f"{int(rng.integers(1, len(spec.layout) + 1))}号楼附近"
            )
            return issue_addr, "小区"
        h = self.hh_idx[hid]
        addr_full = names.address_text(
            int(h["building"]), int(h["unit"]), int(h["room"]), int(rng.integers(len(names.ADDRESS_VARIANTS)))
        )
        issue_addr = f"{spec.estate}{addr_full}" if rng.random() < m.issue_address_p else ""
        place = f"{int(h['building'])}号楼" + (
            f"{int(h['unit'])}单元" if rng.random() < m.unit_named_p else ""
        )
        return issue_addr, place

    def _handling(self, month: str, received: pd.Timestamp) -> dict:
        """派单/办结 times and the 三率 outcomes (是否响应, 是否解决, 是否满意), from the ``HANDLING``
        stream: how a case was handled never changes who called or what they said."""
        rng, m = self.handling, self.m
        after = int(month >= SURGE_MONTH)
        dispatched = received + pd.Timedelta(minutes=int(rng.integers(*m.dispatch_min)))
        outcome = case_outcome(self.rates[month], rng, m)
        hours = float(rng.gamma(m.handling_shape, m.handling_scale_h[after]))
        closed = (dispatched + pd.Timedelta(hours=hours)).floor("s")
        return {
            "派单时间": dispatched.to_pydatetime(),
            "办结时间": closed.to_pydatetime() if rng.random() > m.closed_missing_p else None,
            **dict(zip(("是否响应", "是否解决", "是否满意"), outcome, strict=True)),
        }


def case_outcome(
    p: tuple[float, float, float, float],
    rng: np.random.Generator,
    model: CaseModel = CASES,
    rates: ThreeRatesModel = THREE_RATES,
) -> tuple[str, str, str]:
    """(是否响应, 是否解决, 是否满意) of one case, given its month's probabilities ``p`` = (responded,
    resolved, rated, satisfied among rated) from :func:`jiesu.world.panel.three_rates`.

    Resolved needs a response (P(解决 | 响应) = p_resolved / p_responded); a responded case that is not
    resolved is 部分解决 or 未解决.  Satisfaction follows resolution: an unresolved case is satisfied
    with ``unresolved_satisfied`` × the month's rate (or more, when the rate is too high for a resolved
    case to make up the difference), a resolved one so much more often that satisfied/rated has the
    month's rate in expectation.
    """
    p_resp, p_res, p_rated, p_sat = p
    responded = rng.random() < p_resp
    solved = responded and rng.random() < (p_res / p_resp if p_resp > 0 else 0.0)
    if solved:
        resolved = "解决"
    elif responded and rng.random() < model.partly_resolved_p:
        resolved = "部分解决"
    else:
        resolved = "未解决"
    answer = "是" if responded else "否"
    if not rng.random() < p_rated:
        return answer, resolved, "未评价"
    p_unsolved = (
        p_sat if p_res >= 1 else max(p_sat * rates.unresolved_satisfied, (p_sat - p_res) / (1 - p_res))
    )
    p_solved = (p_sat - (1 - p_res) * p_unsolved) / p_res if p_res > 0 else p_sat
    if rng.random() < (p_solved if solved else p_unsolved):
        return answer, resolved, "满意" if rng.random() < model.satisfied_full_p else "基本满意"
    return answer, resolved, "不满意"


def _spills(
    burst_threads: list[dict], accounts: pd.DataFrame, preset: Preset, seed: int, rng, model: CaseModel
) -> list[dict]:
    """The burst threads that became calls, with their ``received`` time and caller."""
    start = pd.Timestamp(preset.chat_start)
    lag_of = {b.id: spill_lag_days(seed, b.id, model) for b in BURSTS}
    spills = []
    lo, hi = model.spill_jitter_min
    for bt in burst_threads:
        when = start + pd.Timedelta(seconds=bt["t0"])
        if rng.random() < spill_probability(when.strftime("%Y-%m"), model):
            received = (
                when
                + pd.Timedelta(days=lag_of[bt["burst_id"]])
                + pd.Timedelta(minutes=int(rng.integers(lo, hi)))
            )
            spills.append(
                {**bt, "received": received, "resident_key": accounts.at[bt["reporter"], "resident_key"]}
            )
    return spills


def build_cases(
    panel: pd.DataFrame,
    res: pd.DataFrame,
    hh: pd.DataFrame,
    uncovered: list[str],
    friends: pd.DataFrame,
    acc: pd.DataFrame | None,
    burst_threads: list[dict],
    preset: Preset,
    seed: int,
    spec: CommunitySpec = FOCUS,
    model: CaseModel = CASES,
) -> tuple[Cases, pd.DataFrame]:
    """12345 work orders of ``spec``'s community, instantiated from its panel counts.

    Returns (cases, panel): the :class:`Cases` and a copy of ``panel`` whose rows of this community are
    its cases aggregated (the request count only grows where spills exceed it).
    """
    rng = streams.stream(seed, streams.CASES, spec.index)
    focus = panel["community"] == spec.name
    spills = _spills(burst_threads, acc, preset, seed, rng, model)
    spill_by_key: dict[tuple[str, str], list[dict]] = {}
    for s in spills:
        spill_by_key.setdefault((s["received"].strftime("%Y-%m"), s["category"]), []).append(s)
    panel = panel.copy()
    for (month, code), these in spill_by_key.items():
        idx = panel.index[focus & (panel["month"] == month) & (panel["category"] == code)]
        if len(idx) and panel.loc[idx[0], "requests"] < len(these):
            panel.loc[idx[0], "requests"] = len(these)
    handling = streams.stream(seed, streams.HANDLING, spec.index)
    maker = _CaseMaker(res, hh, uncovered, spec, rng, handling, monthly_rates(panel, spec.name), model)
    rows, planted = [], []
    fp = panel[focus & (panel["requests"] > 0)].sort_values(["month", "category"])
    for month, code, n in zip(fp["month"], fp["category"], fp["requests"], strict=True):
        sp = spill_by_key.get((month, code), [])
        for i in range(int(n)):
            row, truth_row = maker.case(month, code, sp[i] if i < len(sp) else None)
            rows.append(row)
            planted.append(truth_row)
    cases = pd.DataFrame(rows).sort_values(["受理时间", "工单编号"], kind="stable").reset_index(drop=True)
    planted = pd.DataFrame(planted).set_index("case_id").loc[cases["工单编号"]].reset_index()
    panel = _aggregate_into_panel(panel, focus, cases, planted)
    return Cases(cases, planted, complainant_truth(planted, friends, model)), panel


def monthly_rates(panel: pd.DataFrame, community: str) -> dict[str, tuple[float, float, float, float]]:
    """``community``'s 三率 probabilities per month (p_responded, p_resolved, p_rated, p_satisfied)."""
    rows = panel.loc[panel["community"] == community].drop_duplicates("month")
    values = zip(*(rows[c].tolist() for c in PROBABILITIES), strict=True)
    return dict(zip(rows["month"], values, strict=True))


def _aggregate_into_panel(
    panel: pd.DataFrame, focus: pd.Series, cases: pd.DataFrame, planted: pd.DataFrame
) -> pd.DataFrame:
    """``panel`` with the community's rows (``focus``) replaced by its cases counted."""
    counted = pd.DataFrame(
        {
            "month": cases["受理时间"].dt.strftime("%Y-%m"),
            "category": planted["category"].to_numpy(),
            "requests": 1,
            "responded": (cases["是否响应"] == "是").astype(np.int64),
            "resolved": (cases["是否解决"] == "解决").astype(np.int64),
            "rated": (cases["是否满意"] != "未评价").astype(np.int64),
            "satisfied": cases["是否满意"].isin(["满意", "基本满意"]).astype(np.int64),
        }
    )
    agg = counted.groupby(["month", "category"])[list(COUNTS)].sum()
    fidx = panel.index[focus]
    keys = pd.MultiIndex.from_arrays([panel.loc[fidx, "month"], panel.loc[fidx, "category"]])
    rows = agg.reindex(keys, fill_value=0)
    for col in COUNTS:
        panel.loc[fidx, col] = rows[col].to_numpy(np.int64)
    return panel


def complainant_truth(planted: pd.DataFrame, friends: pd.DataFrame, model: CaseModel = CASES) -> dict:
    """Who called: linked share, repeat complainants, callers outside 园园's reach, spilled cases."""
    friend_keys = set(friends["resident_key"])
    linked = planted["resident_key"] != ""
    counts = planted[linked]["resident_key"].value_counts()
    repeat = counts[counts >= model.repeat_threshold]
    covered = set(friends["household_id"])
    outside = planted[linked & ~planted["household_id"].isin(covered)]
    not_friends = planted[linked & ~planted["resident_key"].isin(friend_keys)]
    return {
        "n_cases": int(len(planted)),
        "linked_share": float(linked.mean()),
        "repeat_complainants": {k: int(v) for k, v in repeat.items()},
        "repeat_threshold": model.repeat_threshold,
        "cases_by_repeat_complainants": int(repeat.sum()),
        "outside_reach_cases": int(len(outside)),
        "outside_reach_households": sorted(set(outside["household_id"])),
        "outside_reach_definition": "complainant is a registry resident whose household has no friend of 园园",
        "complainant_not_friend_cases": int(len(not_friends)),
        "spill_cases": int((planted["burst_id"] != "").sum()),
    }
