"""Composition of synthetic community-chat messages: templates × slots × paraphrases × typos.

A message is assembled from phrase pools (problem, place, time, request, particles, emoji) that are
picked with Zipf-like weights (the first entries of a pool are the commonest), so word frequencies
in the generated corpus follow the heavy-tailed curve of real chats and words co-occur inside
categories the way residents' reports do.  The pools live in :mod:`jiesu.world.vocabulary`; they
are deliberately much richer than ``jiesu.categories`` lexicons (which topic *labelling* uses):
analyses must not be able to recover the categories by string-matching the generator's vocabulary.

Noise is applied last: homophone/habitual typos (的→得, 在→再), Traditional characters (OpenCC
s2t), half-/full-width punctuation, emoji, and ``@name`` mentions with WeChat's U+2005 space.
"""

from __future__ import annotations

from bisect import bisect_right
from functools import lru_cache
from itertools import accumulate
from pathlib import Path

import numpy as np

from jiesu.categories import CATEGORIES
from jiesu.world.vocabulary import (
    ACTIVITIES,
    ADVICE,
    ANSWERS,
    AVOID_CHARACTERS,
    CLOSE_TAILS,
    CLOSES,
    EMOJI,
    FOOD_COMMENTS,
    FOODS,
    FREE_TALK,
    GREETINGS,
    HEALTH,
    INVITES,
    KIN,
    KIN_EVENTS,
    LOST,
    LOST_WHERE,
    MARKETS,
    MENTION_SPACE,
    METOO,
    PARTICLES,
    PLACES,
    PROBLEMS,
    QUESTIONS,
    REPLIES,
    REPORT_GREETINGS,
    REQUESTS,
    SHORT,
    THANKS,
    TYPOS,
    VENUES,
    WEATHER,
    WHEN,
    WHEN_LATER,
    WHO,
)


@lru_cache(maxsize=1)
def everyday_words() -> dict[str, tuple[tuple[str, ...], list[float]]]:
    """Words of jieba's dictionary by part of speech (``n``, ``a``) with cumulative sampling
    weights ∝ frequency^0.8; words overlapping the issue vocabularies, and grim, sexual, military or
    political words, are left out (small talk must neither leak categories nor offend)."""
    import jieba  # its dictionary is large; only the small-talk vocabulary reads it

    issue_terms = {t for c in CATEGORIES for t in c.lexicon} | {t for pool in PROBLEMS.values() for t in pool}
    pools: dict[str, list[tuple[str, int]]] = {"n": [], "a": []}
    with open(Path(jieba.__file__).parent / "dict.txt", encoding="utf-8") as handle:
        for line in handle:
            parts = line.split()
            if len(parts) != 3 or parts[2] not in pools or not 2 <= len(parts[0]) <= 3:
                continue
            freq = int(parts[1])
            word = parts[0]
            if (
                30 <= freq <= 20000
                and not (set(word) & AVOID_CHARACTERS)
                and not any(term in word or word in term for term in issue_terms)
            ):
                pools[parts[2]].append((word, freq))
    out = {}
    for tag, words in pools.items():
        words.sort(key=lambda wf: (-wf[1], wf[0]))
        weights = [f**0.8 for _, f in words]
        total = sum(weights)
        out[tag] = (tuple(w for w, _ in words), list(accumulate(w / total for w in weights)))
    return out


def _zipf_cum(pool: tuple[str, ...], exponent: float = 1.5) -> list[float]:
    weights = [1.0 / (i + 1.5) ** exponent for i in range(len(pool))]
    total = sum(weights)
    return list(accumulate(w / total for w in weights))


class Composer:
    """Compose message texts from a numpy ``Generator``.

    Draws come from a pre-filled buffer of uniforms (refilled from ``rng``), which keeps composing
    300k messages in pure Python fast while staying fully determined by the seed.
    """

    def __init__(self, rng: np.random.Generator, *, to_traditional=None, free_talk: float = 0.5):
        self._rng = rng
        self.free_talk = free_talk
        self._buffer = rng.random(1 << 16)
        self._next = 0
        self._cums: dict[int, list[float]] = {}
        self._to_traditional = to_traditional
        self.last_problem = ""

    # ------------------------------------------------------------------ draws
    def u(self) -> float:
        if self._next >= len(self._buffer):
            self._buffer = self._rng.random(1 << 16)
            self._next = 0
        value = self._buffer[self._next]
        self._next += 1
        return float(value)

    def pick(self, pool: tuple[str, ...]) -> str:
        """Uniform pick."""
        return pool[int(self.u() * len(pool))]

    def zpick(self, pool: tuple[str, ...]) -> str:
        """Zipf-weighted pick: earlier entries are more frequent."""
        cum = self._cums.get(id(pool))
        if cum is None:
            cum = self._cums[id(pool)] = _zipf_cum(pool)
        return pool[min(bisect_right(cum, self.u()), len(pool) - 1)]

    # ------------------------------------------------------------------ issue threads
    def report(self, category: str, place: str, *, mention: str = "", terms: tuple[str, ...] = ()) -> str:
        """A resident's report of a problem of ``category`` at ``place`` (e.g. "6号楼3单元")."""
        problem = self.pick(terms) if terms and self.u() < 0.7 else self.zpick(PROBLEMS[category])
        if len(problem) <= 3:  # a bare burst keyword becomes a phrase
            problem += self.pick(("的事", "的问题", "又出问题了", "那块儿不行了"))
        self.last_problem = problem
        request = self.zpick(REQUESTS[category]) if self.u() < 0.5 else self.zpick(REQUESTS["_"])
        if category == "epidemic":  # mostly questions to the community
            form = int(self.u() * 4)
            text = (
                f"请问{problem}？"
                if form == 0
                else f"{self.zpick(REPORT_GREETINGS)}，{problem}？"
                if form == 1
                else f"{problem}？{request}"
                if form == 2
                else f"想问一下{problem}"
            )
        else:
            if category in PLACES and self.u() < 0.4:
                place = (
                    place + self.zpick(PLACES[category]) if self.u() < 0.5 else self.zpick(PLACES[category])
                )
            when = self.zpick(WHEN)
            form = int(self.u() * 6)
            if form == 0:
                text = f"{place}{when}{problem}，{request}"
            elif form == 1:
                text = f"{when}{problem}{self.zpick(PARTICLES)}，{place}的，{request}"
            elif form == 2:
                text = f"{problem}{self.zpick(PARTICLES)}，{request}"
            elif form == 3:
                text = f"{place}{problem}，{request}"
            elif form == 4:
                text = f"{place}{problem}，{when}就这样，{request}"
            else:
                text = (
                    f"{problem}！{problem}！{request}"
                    if self.u() < 0.2
                    else f"{self.zpick(REPORT_GREETINGS)}，{place}{problem}"
                )
        if self.u() < 0.02:  # some residents leave a number for the repairman
            text += f"，我电话{self.phone()}"
        if mention:
            text = (
                f"@{mention}{MENTION_SPACE}{text}" if self.u() < 0.7 else f"{text} @{mention}{MENTION_SPACE}"
            )
        return self.noise(text, emoji=0.2)

    def phone(self) -> str:
        return "1" + "3589"[int(self.u() * 4)] + str(int(self.u() * 10)) + "00" + f"{int(self.u() * 1e6):06d}"

    def metoo(self, category: str, place: str) -> str:
        text = self.zpick(METOO)
        if self.u() < 0.5:
            text += f"，{place}{self.zpick(PROBLEMS[category])}"
        return self.noise(text, emoji=0.15)

    def reply(self, role: str, category: str, reporter: str = "") -> str:
        """The first staff answer, in the words of the responder's ``role`` (社工 for 园园)."""
        if category == "epidemic" and self.last_problem in ANSWERS and self.u() < 0.8:
            text = self.pick(("您好，", "", "居民朋友，")) + ANSWERS[self.last_problem]
        else:
            text = self.zpick(REPLIES.get(role, REPLIES["社工"])).format(who=WHO[category])
        if reporter and self.u() < 0.5:
            text = f"@{reporter}{MENTION_SPACE}{text}"
        return self.noise(text, emoji=0.1, typo=0.01)

    def close(self, category: str) -> str:
        return self.noise(self.zpick(CLOSES[category]) + self.pick(CLOSE_TAILS), emoji=0.2, typo=0.0)

    def thanks(self, *, plain: bool = False) -> str:
        """Thanks after a repair; ``plain`` for an answered question (no praise of repair speed)."""
        if plain:
            return self.noise(
                self.zpick(
                    (
                        "好的，谢谢",
                        "明白了，谢谢",
                        "谢谢园园👍",
                        "知道了，辛苦了",
                        "感谢",
                        "好的好的",
                        "收到，谢谢社区",
                    )
                ),
                emoji=0.2,
            )
        text = self.zpick(THANKS)
        if self.u() < 0.3:
            text = self.zpick(("物业", "师傅", "园园", "社区", "民警同志", "大家")) + text
        return self.noise(text, emoji=0.3)

    # ------------------------------------------------------------------ chatter
    def chatter(self, hour: int) -> str:
        """An everyday message (greeting, weather, groceries, activities, family, questions, replies)."""
        roll = self.u()
        if roll < 0.22:
            text = self.zpick(SHORT)
            if self.u() < 0.75:
                text += self.zpick(PARTICLES) + (self.zpick(EMOJI) if self.u() < 0.5 else "")
            if self.u() < 0.45:
                text = self.zpick(SHORT) + self.pick(("，", " ", "！", "")) + text
        elif roll < 0.34:
            greeting = (
                self.zpick(("早上好", "大家早", "早安", "早", "各位早上好"))
                if hour < 11
                else self.zpick(GREETINGS)
            )
            text = greeting + self.zpick(EMOJI) + (f"，{self.zpick(WEATHER)}" if self.u() < 0.5 else "")
        elif roll < 0.46:
            text = f"{self.zpick(WEATHER)}，{self.zpick(ADVICE)}{self.zpick(PARTICLES)}"
        elif roll < 0.58:
            text = f"{self.zpick(MARKETS)}的{self.zpick(FOODS)}{self.zpick(FOOD_COMMENTS)}{self.zpick(PARTICLES)}"
        elif roll < 0.68:
            text = (
                f"{self.zpick(WHEN_LATER)}{self.zpick(VENUES)}{self.zpick(ACTIVITIES)}，{self.zpick(INVITES)}"
            )
        elif roll < 0.76:
            text = f"{self.zpick(KIN)}{self.zpick(KIN_EVENTS)}{self.zpick(PARTICLES)}"
        elif roll < 0.86:
            lead = self.pick(("请问", "问一下", "打听一下，", "", "各位，", "邻居们，"))
            text = f"{lead}{self.pick(QUESTIONS)}{self.pick(('？', '？谢谢', '啊？', '', '呀', '？🙏'))}"
        elif roll < 0.9:
            text = f"谁丢了{self.zpick(LOST)}，{self.zpick(LOST_WHERE)}"
        elif roll < 0.95:
            text = (
                self.pick(("【转发】", "转发：", "", "分享一篇：", "【健康】"))
                + self.pick(HEALTH)
                + self.pick(("", "", "，大家看看", "，有用", "👍", "，老人们注意"))
            )
        else:
            text = f"{self.zpick(SHORT)}，{self.zpick(WEATHER)}，{self.zpick(KIN)}{self.zpick(KIN_EVENTS)}"
        if self.u() < self.free_talk:
            text = self.free() if self.u() < 0.7 else text.rstrip("，。！？,.!?～~") + "，" + self.free()
        return self.noise(text, emoji=0.15)

    def word(self, tag: str) -> str:
        words, cum = everyday_words()[tag]
        return words[min(bisect_right(cum, self.u()), len(words) - 1)]

    def free(self) -> str:
        """Small talk about anything, filled from :func:`everyday_words`."""
        template = self.pick(FREE_TALK)
        return template.format(n=self.word("n"), n2=self.word("n"), a=self.word("a"))

    def announcement(self, category: str | None = None) -> str:
        """A staff notice (activities; campaign notices for 疫情防控 / 垃圾分类)."""
        if category == "epidemic":
            body = self.zpick(
                (
                    "请返京人员主动到居委会登记",
                    "出入请佩戴口罩、配合测温",
                    "快递外卖一律放在门口货架",
                    "出入证请到南门值班室办理",
                    "居家观察人员请勿外出",
                    "请大家不信谣不传谣",
                )
            )
        elif category == "garbage":
            body = self.zpick(
                (
                    "5月1日起垃圾分类正式实施",
                    "厨余垃圾请破袋投放",
                    "桶站早晚各有志愿者值守",
                    "分类指导员每天早7点到9点在桶站",
                    "请不要把垃圾放在桶站外",
                )
            )
        else:
            body = (
                f"{self.zpick(WHEN_LATER)}{self.zpick(VENUES)}{self.zpick(ACTIVITIES)}，{self.zpick(INVITES)}"
            )
        if self.u() < 0.3:  # the formal, multi-line layout copied from the 居委会's notices
            return f"【通知】\n各位居民：\n    {body}。\n{self.pick(('社区居委会', '园园', '社区党委'))}"
        return f"【通知】{body}" + ("，谢谢配合" if self.u() < 0.4 else "")

    # ------------------------------------------------------------------ noise
    def noise(
        self,
        text: str,
        *,
        emoji: float = 0.1,
        typo: float = 0.03,
        traditional: float = 0.03,
        halfwidth: float = 0.08,
    ) -> str:
        if self.u() < emoji:
            text += self.pick(EMOJI) * (1 + int(self.u() < 0.2))
        if self.u() < typo:
            correct, mistyped = TYPOS[int(self.u() * len(TYPOS))]
            text = text.replace(correct, mistyped, 1)
        if self.u() < halfwidth:
            text = text.replace("，", ",").replace("？", "?").replace("！", "!")
        if self._to_traditional is not None and self.u() < traditional:
            text = self._to_traditional(text)
        return text
