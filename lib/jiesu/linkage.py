"""Record linkage: the scattered registry sources (停车证, 疫情登记, 走访, 园园's friends, team lists,
12345 work orders) → one household and resident registry.

Method (deterministic, in the spirit of Fellegi–Sunter blocking + rule-based matching, as in the
``recordlinkage`` toolkit's "block, compare, classify" pipeline):

1. **Block** on the normalized household key (``BB-U-RRR``): two records can only be the same
   resident if they name the same dwelling.  Addresses are normalized by
   :func:`jiesu.normalize.parse_addresses`, so the key is exact.
2. **Group** records with the same normalized name within a household (rule ``exact_name``).
3. **Compare** every pair of name groups within a household (a handful per household, so this is
   cheap) on name similarity (rapidfuzz Levenshtein / ratio), phone agreement and birth-year
   agreement, and **merge** when

   * ``phone_and_name``: the groups share a phone number and the names are similar
     (≤ 1 edit, or ratio ≥ 60), or
   * ``name_typo``: the names differ by one substituted character (同音/typo: 王秀英 ~ 王绣英),
     neither phone numbers nor birth years contradict (different non-empty phone sets, or birth
     years more than one year apart), and one of the two is the household's only record of that
     spelling while the other is attested more often (a typo is rare; two real people with
     near-identical names are each recorded repeatedly).
4. **Unaddressed** records (a work order without a usable 诉求地址) join the resident whose phone
   they carry, when exactly one resident has that phone (rule ``phone_only``).

Each record gets the rule that linked it; each resident a stable key (household key + the most
frequent spelling).  :func:`score_linkage` measures pairwise precision and recall against the
planted truth of a synthetic world.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

RECORD_COLUMNS = ("source", "record_id", "household_id", "name", "phone", "birth_year", "date")
"""Columns of the record frame :func:`link_records` expects (``name`` normalized, may be missing)."""

SIMILAR_RATIO = 60.0
BIRTH_YEAR_TOLERANCE = 1


class _UnionFind:
    def __init__(self, n: int):
        self.parent = np.arange(n)

    def find(self, i: int) -> int:
        root = i
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[i] != root:
            self.parent[i], i = root, self.parent[i]
        return root

    def union(self, a: int, b: int) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return False
        self.parent[max(ra, rb)] = min(ra, rb)
        return True


def _one_substitution(a: str, b: str) -> bool:
    return len(a) == len(b) and sum(x != y for x, y in zip(a, b, strict=True)) == 1


def _similar(a: str, b: str) -> bool:
    return Levenshtein.distance(a, b) <= 1 or fuzz.ratio(a, b) >= SIMILAR_RATIO


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
    groups = (frame.loc[named].groupby(["household_id", "name"], sort=True)
              .agg(n=("source", "size"),
                   phones=("phone", lambda s: frozenset(s.dropna())),
                   years=("birth_year", lambda s: frozenset(int(y) for y in s.dropna())))
              .reset_index())
    groups["gid"] = np.arange(len(groups))
    union = _UnionFind(len(groups))
    merged_by: dict[int, str] = {}

    # step 3: compare name groups pairwise within each household (the blocking key)
    pairs = groups[["household_id", "gid"]].merge(groups[["household_id", "gid"]], on="household_id",
                                                   suffixes=("_a", "_b"))
    pairs = pairs[pairs["gid_a"] < pairs["gid_b"]]
    names = groups["name"].tolist()
    phones = groups["phones"].tolist()
    years = groups["years"].tolist()
    counts = groups["n"].to_numpy()
    decisions = []
    for a, b in zip(pairs["gid_a"].tolist(), pairs["gid_b"].tolist(), strict=True):
        rule = _compare(names[a], names[b], phones[a], phones[b], years[a], years[b], counts[a], counts[b])
        if rule:
            decisions.append((0 if rule == "phone_and_name" else 1, a, b, rule))
    for _, a, b, rule in sorted(decisions):  # phone evidence first
        if union.union(a, b):
            merged_by[max(a, b)] = rule
    roots = np.array([union.find(g) for g in range(len(groups))])
    groups["root"] = roots

    # canonical spelling: the most frequent in the cluster (ties: the alphabetically first)
    canonical = (groups.sort_values(["root", "n", "name"], ascending=[True, False, True])
                 .drop_duplicates("root").set_index("root")["name"])
    groups["resident_key"] = groups["household_id"] + "|" + groups["root"].map(canonical)
    groups["rule"] = [merged_by.get(int(g), "exact_name") for g in groups["gid"]]

    out = pd.DataFrame(index=frame.index)
    out["household_id"] = frame["household_id"]
    keyed = frame.loc[named, ["household_id", "name"]].merge(
        groups[["household_id", "name", "resident_key", "rule"]], on=["household_id", "name"], how="left")
    out["resident_key"] = pd.Series(pd.NA, index=frame.index, dtype="string")
    out["rule"] = pd.Series("unlinked", index=frame.index, dtype="string")
    out.loc[named, "resident_key"] = keyed["resident_key"].to_numpy()
    out.loc[named, "rule"] = keyed["rule"].to_numpy()
    out.loc[frame["household_id"].notna() & ~named, "rule"] = "household_only"

    # step 4: records without an address join the single resident that carries their phone
    by_phone = (pd.DataFrame({"phone": frame.loc[named, "phone"], "resident_key": out.loc[named, "resident_key"]})
                .dropna().drop_duplicates())
    unique_phone = by_phone[~by_phone["phone"].duplicated(keep=False)].set_index("phone")["resident_key"]
    loose = frame["household_id"].isna() & frame["phone"].notna()
    matched = frame.loc[loose, "phone"].map(unique_phone).dropna()
    out.loc[matched.index, "resident_key"] = matched.astype("string")
    out.loc[matched.index, "household_id"] = matched.str.split("|").str[0].astype("string")
    out.loc[matched.index, "rule"] = "phone_only"
    return out


def _compare(name_a, name_b, phones_a, phones_b, years_a, years_b, n_a, n_b) -> str | None:
    """The merge rule two name groups of one household satisfy, or ``None``."""
    if phones_a & phones_b and _similar(name_a, name_b):
        return "phone_and_name"
    if not _one_substitution(name_a, name_b):
        return None
    if phones_a and phones_b and not phones_a & phones_b:
        return None
    if years_a and years_b and min(abs(x - y) for x in years_a for y in years_b) > BIRTH_YEAR_TOLERANCE:
        return None
    if min(n_a, n_b) == 1 and max(n_a, n_b) >= 2:
        return "name_typo"
    return None


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


def linkage_scores(record_links: pd.DataFrame, planted: pd.DataFrame, *,
                   record_ids: dict[str, object] | None = None) -> dict[str, float]:
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


def score_linkage(truth: dict, data) -> dict[str, float | None]:
    """``jiesu evaluate`` section *linkage*: pairwise precision/recall of the ingested registry.

    Reads ``planted_linkage.csv`` (or ``truth["linkage"]``) and ``record_links.parquet``.
    """
    from jiesu import datasets
    from jiesu.pseudonyms import load_salt

    where = datasets.resolve(data)
    planted = datasets.read_planted_table("linkage", where)
    if planted is None and truth.get("linkage"):
        planted = pd.DataFrame(truth["linkage"])
    if planted is None:
        return {"precision": None, "recall": None}
    links = datasets.load("record_links", where)
    salt = load_salt(where.salt_file())
    return linkage_scores(links, planted, record_ids=personal_record_ids(salt))


def personal_record_ids(salt: bytes) -> dict[str, object]:
    """Converters from raw record ids to processed ones for sources keyed by a personal id."""
    from jiesu.pseudonyms import pseudonymize

    def wxid(values: pd.Series) -> pd.Series:
        return pseudonymize(values, kind="wxid", salt=salt, prefix="M")

    return {"friends": wxid, "teams": wxid}
