"""Record linkage: the scattered registry sources (停车证, 疫情登记, 走访, 园园's friends, team lists,
12345 work orders) → one household and resident registry.

Method (deterministic, in the spirit of Fellegi–Sunter blocking + rule-based matching, as in the
``recordlinkage`` toolkit's "block, compare, classify" pipeline):

1. **Block** on the normalized household key (``BB-U-RRR``): two records can only be the same
   resident if they name the same dwelling.  Addresses are normalized by
   :func:`jiesu.ingest.normalize.parse_addresses`, so the key is exact.
2. **Group** records with the same normalized name within a household (rule ``exact_name``),
   splitting homonyms whose birth years disagree (a grandmother and granddaughter of one name).
3. **Compare** every pair of name groups within a household (a handful per household, so this is
   cheap) and **merge** (union–find) when

   * ``phone_and_name``: the groups share a phone number and the names are similar
     (≤ 1 edit, or rapidfuzz ratio ≥ 60), or
   * ``name_typo``: the names differ by one substituted character (同音/typo: 王秀英 ~ 王绣英) and the
     rarer spelling has no other one-character neighbour in the household;

   phone evidence is applied first.  A merge is **refused** when the two *clusters* contradict each
   other: birth years more than one year apart, two different 园园-friend accounts (one resident has
   one account), or — for ``name_typo`` — disjoint non-empty sets of phone numbers.
4. **Unaddressed** records (a work order without a usable 诉求地址) join the resident who carries
   their phone (rule ``phone_only``); when several residents share the phone (children give a
   parent's number), the one whose name is within one edit, if exactly one is.

Each record gets the rule that linked it; each resident a stable key (household key + the most
frequent spelling).  :func:`score_linkage` measures pairwise precision and recall against the
planted truth of a synthetic world.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from jiesu.ingest.pseudonyms import pseudonymize

RECORD_COLUMNS = ("source", "record_id", "household_id", "name", "phone", "birth_year", "date")
"""Columns of the record frame :func:`link_records` expects (``name`` normalized, may be missing)."""

SIMILAR_RATIO = 60.0
FRIEND_SOURCE = "friends"  # one 园园-friend account per resident: two friend records are two people
BIRTH_YEAR_TOLERANCE = 1


class _Clusters:
    """Union–find over name groups that keeps each cluster's phones, birth years and friend count, so a
    merge can be refused when the *clusters* (not just the two groups) contradict each other."""

    def __init__(self, phones: list[frozenset], years: list[frozenset], friends: list[int]):
        self.parent = list(range(len(phones)))
        self.phones = list(phones)
        self.years = list(years)
        self.friends = list(friends)

    def find(self, i: int) -> int:
        root = i
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[i] != root:
            self.parent[i], i = root, self.parent[i]
        return root

    def compatible(self, a: int, b: int, *, same_phone: bool) -> bool:
        """No contradiction: birth years within tolerance, at most one 园园-friend account, and (unless
        the merge rests on a shared phone) no two disjoint sets of phone numbers."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        if self.friends[ra] + self.friends[rb] > 1:
            return False
        ya, yb = self.years[ra], self.years[rb]
        if ya and yb and min(abs(x - y) for x in ya for y in yb) > BIRTH_YEAR_TOLERANCE:
            return False
        pa, pb = self.phones[ra], self.phones[rb]
        return same_phone or not (pa and pb and not pa & pb)

    def union(self, a: int, b: int) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return False
        keep, gone = min(ra, rb), max(ra, rb)
        self.parent[gone] = keep
        self.phones[keep] |= self.phones[gone]
        self.years[keep] |= self.years[gone]
        self.friends[keep] += self.friends[gone]
        return True


def _one_substitution(a: str, b: str) -> bool:
    return len(a) == len(b) and sum(x != y for x, y in zip(a, b, strict=True)) == 1


def _similar(a: str, b: str) -> bool:
    return Levenshtein.distance(a, b) <= 1 or fuzz.ratio(a, b) >= SIMILAR_RATIO


def _name_groups(frame: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """Exact (household, name) groups with record count, friend-record count, phones and birth years.

    Homonyms (rule ``exact_name`` would merge two people of one household with the same name, e.g.
    a grandmother and a granddaughter) are split when their birth years are more than
    :data:`BIRTH_YEAR_TOLERANCE` apart: records with a birth year join their year's subgroup, records
    without one join the subgroup that shares their phone, else the largest subgroup.  Split groups
    carry a ``tag`` (``|<birth year>``) so their resident keys differ.

    Returns the groups and, for every row of ``frame``, its group id.
    """
    rows: dict[tuple[str, str], list[int]] = {}
    households, names_ = frame["household_id"].tolist(), frame["name"].tolist()
    sources, phones, years = frame["source"].tolist(), frame["phone"].tolist(), frame["birth_year"].tolist()
    years = [None if y is None or y is pd.NA else int(y) for y in years]
    phones = [p if isinstance(p, str) else None for p in phones]
    for i, key in enumerate(zip(households, names_, strict=True)):
        rows.setdefault(key, []).append(i)
    record_gid = np.empty(len(frame), dtype=int)
    table = []
    for key in sorted(rows):
        members = rows[key]
        for tag, subset in _split_homonyms(members, years, phones):
            gid = len(table)
            record_gid[subset] = gid
            table.append(
                {
                    "household_id": key[0],
                    "name": key[1],
                    "tag": tag,
                    "n": len(subset),
                    "friends": sum(sources[i] == FRIEND_SOURCE for i in subset),
                    "phones": frozenset(phones[i] for i in subset if phones[i]),
                    "years": frozenset(years[i] for i in subset if years[i] is not None),
                    "gid": gid,
                }
            )
    columns = ["household_id", "name", "tag", "n", "friends", "phones", "years", "gid"]
    return pd.DataFrame(table, columns=columns), record_gid


def _split_homonyms(members: list[int], years: list, phones: list) -> list[tuple[str, list[int]]]:
    distinct = sorted({years[i] for i in members if years[i] is not None})
    clusters: list[list[int]] = []
    for year in distinct:
        if clusters and year - clusters[-1][-1] <= BIRTH_YEAR_TOLERANCE:
            clusters[-1].append(year)
        else:
            clusters.append([year])
    if len(clusters) <= 1:
        return [("", members)]
    cluster_of = {year: k for k, cluster in enumerate(clusters) for year in cluster}
    subsets: list[list[int]] = [[] for _ in clusters]
    undated = []
    for i in members:
        (undated if years[i] is None else subsets[cluster_of[years[i]]]).append(i)
    for i in undated:
        sharing = [
            k for k, subset in enumerate(subsets) if phones[i] and any(phones[j] == phones[i] for j in subset)
        ]
        target = (
            sharing[0] if len(sharing) == 1 else max(range(len(subsets)), key=lambda k: (len(subsets[k]), -k))
        )
        subsets[target].append(i)
    return [(f"|{clusters[k][0]}", sorted(subset)) for k, subset in enumerate(subsets)]


def link_records(records: pd.DataFrame) -> pd.DataFrame:
    """Cluster registry records into residents.

    Parameters
    ----------
    records : one row per raw record with :data:`RECORD_COLUMNS`; ``household_id`` is the
        normalized key (missing if the record has no usable address), ``name`` the normalized name
        (missing if none), ``phone`` 11 digits or missing, ``birth_year`` Int64 or missing.

    Returns
    -------
    DataFrame on the same index with ``resident_key`` (``<household_id>|<canonical name>``, missing
    for a record that names nobody), ``household_id`` (for ``phone_only`` links, the resident's
    household) and ``rule`` (``exact_name``, ``phone_and_name``, ``name_typo``, ``phone_only``,
    ``household_only`` or ``unlinked``).
    """
    frame = records.loc[:, list(RECORD_COLUMNS)].copy()
    frame["household_id"] = frame["household_id"].astype("string")
    frame["name"] = frame["name"].astype("string")
    frame["phone"] = frame["phone"].astype("string")
    named = frame["household_id"].notna() & frame["name"].notna()

    # step 2: exact name groups within households
    groups, record_gid = _name_groups(frame.loc[named])
    union = _Clusters(groups["phones"].tolist(), groups["years"].tolist(), groups["friends"].tolist())
    merged_by = _merge_similar_names(groups, union)
    groups = _resident_keys(groups, union, merged_by)

    out = pd.DataFrame(index=frame.index)
    out["household_id"] = frame["household_id"]
    out["resident_key"] = pd.Series(pd.NA, index=frame.index, dtype="string")
    out["rule"] = pd.Series("unlinked", index=frame.index, dtype="string")
    out.loc[named, "resident_key"] = groups["resident_key"].to_numpy()[record_gid]
    out.loc[named, "rule"] = groups["rule"].to_numpy()[record_gid]
    out.loc[frame["household_id"].notna() & ~named, "rule"] = "household_only"

    return _link_by_phone(frame, named, out)


def _merge_similar_names(groups: pd.DataFrame, union: _Clusters) -> dict[int, str]:
    """Step 3: merge the name groups of one household that are one person (shared phone and a similar
    name, or a one-character typo of a rarer spelling); returns the rule that merged each group."""
    merged_by: dict[int, str] = {}
    # compare name groups pairwise within each household (the blocking key)
    pairs = groups[["household_id", "gid"]].merge(
        groups[["household_id", "gid"]], on="household_id", suffixes=("_a", "_b")
    )
    pairs = pairs[pairs["gid_a"] < pairs["gid_b"]]
    names = groups["name"].tolist()
    counts = groups["n"].to_numpy()
    phones = groups["phones"].tolist()
    near = [
        (a, b)
        for a, b in zip(pairs["gid_a"].tolist(), pairs["gid_b"].tolist(), strict=True)
        if _one_substitution(names[a], names[b])
    ]
    neighbours = (
        np.bincount(np.array(near, dtype=int).ravel(), minlength=len(groups))
        if near
        else np.zeros(len(groups), dtype=int)
    )
    decisions = []
    for a, b in zip(pairs["gid_a"].tolist(), pairs["gid_b"].tolist(), strict=True):
        shared_phone = bool(phones[a] & phones[b])
        if shared_phone and _similar(names[a], names[b]):
            decisions.append((0, a, b, "phone_and_name"))
        elif _one_substitution(names[a], names[b]):
            # the rarer spelling must have no other near-identical name in the household
            rare = [g for g in (a, b) if counts[g] == min(counts[a], counts[b])]
            if all(neighbours[g] == 1 for g in rare):
                decisions.append((1, a, b, "name_typo"))
    for _, a, b, rule in sorted(decisions):  # phone evidence first
        if union.compatible(a, b, same_phone=rule == "phone_and_name") and union.union(a, b):
            merged_by[max(a, b)] = rule
    return merged_by


def _resident_keys(groups: pd.DataFrame, union: _Clusters, merged_by: dict[int, str]) -> pd.DataFrame:
    """Each name group's ``resident_key`` (household and the cluster's canonical spelling) and ``rule``."""
    groups = groups.copy()
    roots = np.array([union.find(g) for g in range(len(groups))])
    groups["root"] = roots

    # canonical spelling: the most frequent in the cluster (ties: the alphabetically first)
    canonical = (
        groups.sort_values(["root", "n", "name"], ascending=[True, False, True])
        .drop_duplicates("root")
        .set_index("root")
    )
    groups["resident_key"] = (
        groups["household_id"]
        + "|"
        + groups["root"].map(canonical["name"])
        + groups["root"].map(canonical["tag"])
    )
    groups["rule"] = [merged_by.get(int(g), "exact_name") for g in groups["gid"]]

    return groups


def _link_by_phone(frame: pd.DataFrame, named: pd.Series, out: pd.DataFrame) -> pd.DataFrame:
    """Step 4 on ``out``: records without an address join the resident who carries their phone."""
    # step 4: records without an address join the resident who carries their phone; if several
    # residents share it (children give a parent's number), the one whose name is within one edit
    by_phone = (
        pd.DataFrame(
            {
                "phone": frame.loc[named, "phone"],
                "name": frame.loc[named, "name"],
                "resident_key": out.loc[named, "resident_key"],
            }
        )
        .dropna()
        .drop_duplicates(["phone", "resident_key", "name"])
    )
    loose = frame.loc[frame["household_id"].isna() & frame["phone"].notna(), ["phone", "name"]]
    candidates = loose.reset_index().merge(by_phone, on="phone", how="inner", suffixes=("", "_known"))
    residents_per_phone = candidates.groupby("index")["resident_key"].nunique()
    alone = candidates[candidates["index"].map(residents_per_phone).eq(1)].drop_duplicates("index")
    shared = candidates[candidates["index"].map(residents_per_phone).gt(1)]
    close = np.array(
        [
            isinstance(a, str) and Levenshtein.distance(a, b) <= 1
            for a, b in zip(shared["name"].tolist(), shared["name_known"].tolist(), strict=True)
        ],
        dtype=bool,
    )
    same_name = shared.loc[close]
    same_name = same_name[same_name.groupby("index")["resident_key"].transform("nunique").eq(1)]
    chosen = pd.concat([alone, same_name.drop_duplicates("index")])
    matched = chosen.set_index("index")["resident_key"]
    out.loc[matched.index, "resident_key"] = matched.astype("string")
    out.loc[matched.index, "household_id"] = matched.str.split("|").str[0].astype("string")
    out.loc[matched.index, "rule"] = "phone_only"
    return out


# ---------------------------------------------------------------- scoring against planted truth


def pairwise_scores(predicted: pd.Series, truth: pd.Series) -> dict[str, float]:
    """Pairwise precision and recall of a clustering (Christen 2012, *Data Matching*, §7.3).

    ``predicted`` and ``truth`` are cluster labels on the same index (records present in both and
    labelled in ``truth``; a record with no predicted label is its own singleton).  A pair of records
    is *true* when both carry the same truth label, *predicted* when both carry the same predicted
    label.  Precision = true ∧ predicted / predicted; recall = true ∧ predicted / true.
    """
    frame = pd.DataFrame({"p": predicted.astype("string"), "t": truth.astype("string")}).dropna(subset=["t"])
    singletons = frame["p"].isna()
    frame.loc[singletons, "p"] = "⟂" + frame.index[singletons].astype(str)

    def pairs(counts: pd.Series) -> float:
        values = counts.to_numpy(dtype=float)
        return float((values * (values - 1) / 2).sum())

    both = pairs(frame.groupby(["p", "t"]).size())
    predicted_pairs = pairs(frame.groupby("p").size())
    true_pairs = pairs(frame.groupby("t").size())
    return {
        "precision": both / predicted_pairs if predicted_pairs else 1.0,
        "recall": both / true_pairs if true_pairs else 1.0,
    }


def linkage_scores(
    record_links: pd.DataFrame, planted: pd.DataFrame, *, record_ids: dict[str, object] | None = None
) -> dict[str, float]:
    """Score ``record_links`` (processed: source, record_id, resident_id) against planted linkage
    (source, record_id, resident_key).

    ``record_ids`` optionally maps a source to a function turning a planted ``record_id`` into the
    processed one (for sources whose raw id is personal and therefore pseudonymized, e.g. friends).
    Only records present on both sides and with a planted resident are scored.
    """
    truth = planted.loc[:, ["source", "record_id", "resident_key"]].astype("string").copy()
    truth = truth[truth["resident_key"].notna() & truth["resident_key"].ne("")]
    for source, convert in (record_ids or {}).items():
        mask = truth["source"].eq(source)
        if mask.any():
            truth.loc[mask, "record_id"] = convert(truth.loc[mask, "record_id"]).to_numpy()
    ours = record_links.loc[:, ["source", "record_id", "resident_id"]].astype("string")
    joined = truth.merge(ours, on=["source", "record_id"], how="inner")
    return pairwise_scores(joined["resident_id"], joined["resident_key"])


def personal_record_ids(salt: bytes) -> dict[str, object]:
    """Converters from raw record ids to processed ones for sources keyed by a personal id."""

    def wxid(values: pd.Series) -> pd.Series:
        return pseudonymize(values, kind="wxid", salt=salt, prefix="M")

    return {"friends": wxid, "teams": wxid}
