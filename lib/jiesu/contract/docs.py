"""The contract as Markdown: ``data/raw/README.md`` and ``data/processed/README.md`` are rendered here."""

from __future__ import annotations

from jiesu.categories import CATEGORIES, LABELS, TEAMS
from jiesu.contract.processed import PROCESSED
from jiesu.contract.raw import RAW
from jiesu.contract.schema import SCHEMA_VERSION, Column, Rule, Table

PLANTED_TRUTH_DOC = """\
## planted_truth.json (synthetic data only)

Written by `jiesu simulate` beside the raw files, **last**: its presence means the world is complete
and marks the data as synthetic (模拟数据), and every rendered output then says so. Real data never
has this file. Ids: household `BB-U-RRR` (e.g. `06-3-502`, room = floor·100 + door); a true person is
`resident_key` `P000123`. Ages are `2020 − birth year`; 高龄 = a resident aged 80+.

| key | what was planted |
| --- | --- |
| `meta` | `seed`, `preset`, `generator_version`, `chat_period` [first, last day], `panel_period` [first, last month], `community`, `area`, `synthetic`, `reference_year`, `age_definition`, `files` |
| `community` | `buildings`, `households`, `occupied_households`, `residents`, `tenure` and `housing_type` counts, `residents_by_age_band`, `flag_rates` and `flag_households` (`elderly`/`dibao`/`disabled`/`vulnerable`, share and count of households), the id lists `vulnerable_households`, `elderly_households`, `dibao_households`, `disabled_households` |
| `coverage` | 园园's reach: `friends`, `friend_residents`, `household_coverage` (share of all 2,602 households with a resident friend), `occupied_household_coverage`, `resident_coverage`, `by_building` {building: share}, `uncovered_households`, `uncovered_vacant`, `uncovered_vulnerable` (the exact set the outreach list must find), `n_uncovered`, `n_uncovered_vulnerable`, `definition` |
| `linkage` | summary of `planted_linkage.csv`: `records`, `by_source`, `non_resident_records` (records naming someone outside the registry: owners of empty flats, carers, callers), `registry_households_covered` |
| `categories` | per category code: `label`, `level1`, `season`, `season_months`, `chat_season`, `owner_team`, `vocabulary` (phrases used to compose reports), `n_messages`, `n_threads` |
| `bursts` | list of planted keyword bursts: `id`, `category`, `label`, `terms`, `onset`, `end`, `duration_days`, `building` (or null), `group_id`, `group_name`, `spill_probability` (per burst thread), `spill_lag_days` (3–5), `spills` (probability ≥ 0.25), `n_threads`, `n_spill_cases` |
| `intervention` | `community`, `start_month` (2018-07), `ramp_months` (6), `full_from` (2019-01), `ramp`, `effect_log_rr` δ_k per category, `effect_log_rr_total` (the estimand ITS/DiD must cover: log Σ_{t≥2019-01,k} μ·e^δ / Σ μ, from the Poisson model alone: the burst spill-over cases (on seed 0: 83 in 2018, 13 in 2019–2020) are not in it, so estimators on the observed counts find a somewhat larger reduction, about −1.17 against −1.05 on seed 0; most of the scorecard's DiD error is this), `effect_rr_total`, `naive_log_ratio_expected` and `naive_bias_expected` (the before/after comparison biased by the 2019-01 surge), `surge_month`, `epidemic_months`, `model`, `base_rate_per_10k`, `alpha` (baseline log rate per community) |
| `rank` | `n_communities`, `by`, `trajectory` {month: focus rank from expected rates, 1 = highest}, `top5_before`, `bottom5_after`, `first_month_bottom5`, `first_month_stays_bottom5` |
| `three_rates` | the planted 三率 of this community (响应率 = responded/requests, 解决率 = resolved/requests, 满意率 = satisfied/rated): `definition`, `model` (`logit p = logit(area(t)) + u_c + ε_{c,t} + gain·intensity_c(t)`), `sources`, `area_anchors` (the area trajectory's anchor months), `area` {month: response, resolution, satisfaction of the area trajectory}, `community_level_logit` (u_c; fixed a little below the area for the focus community), `month_sd_logit`, `intervention_gain_logit`, `monthly` {month: the probabilities response, resolution, satisfaction, rated}. Every count of the panel and every 是否响应/是否解决/是否满意 of `hotline_cases.xlsx` is drawn from these (resolved only among the responded; satisfied among the rated, more often when resolved) |
| `complainants` | `n_cases`, `linked_share`, `repeat_complainants` {resident_key: cases} (≥ `repeat_threshold`), `cases_by_repeat_complainants`, `outside_reach_cases` and `outside_reach_households` (complainant's household has no friend of 园园), `complainant_not_friend_cases`, `spill_cases` |
| `messages` | `total`, `chat_messages_csv`, `wechatmsg`, `wechatmsg_group`, `threads`, `table` |
| `area` | the same in every world of a run: `communities` (panel order), `interventions` {community: its intervention, or null for one that never had any}, `treated`, `never_treated` (the controls an evaluation should use), `adoption` (how a peer's adoption is planted). The focus community's entry has `start_month`, `ramp_months`, `full_from`, `effect_scale` (1) and `effect_log_rr_total`; an adopting peer's has `start_month`, `ramp_months`, `full_from`, `ramp`, `effect_scale` (its effect and 三率 gain as a share of the focus community's), `effect_log_rr` (scale·δ_k), `effect_log_rr_total` (log Σ_{t≥full_from} μ / Σ μ without the adoption; null if not fully in effect before 2020-09), `estimand`, `months_treated` |

`jiesu simulate --out DIR` writes into the data directory's `DIR/raw`. With `--communities N` (or `--area`:
every community of 高碑店地区, the focus and its 23 peers), each peer community 对照社区NN gets a complete world
of its own in `raw/communities/<name>/` (same files; `wechatmsg_<群名称>.csv` named after its own 报修 group),
sized by its own panel rows. All worlds share one `area_panel.csv` in which every simulated community's rows
equal its own cases. A few peers (4 of 23 on the default area) adopt a 园园-like way of working at their own
month of 2019–2020: their request rate falls by `scale · δ_k · ramp(t)` (scale 0.25–0.45 of the focus
community's effect; in the panel their requests are the never-adopted counts binomially thinned, so no other
community's counts change), their 三率 gain `scale` × the focus's, and their world has more friends of its
outreach account. A peer's truth has no bursts; its `intervention` is its adoption (or, for a peer that never
adopted, `start_month` null and `effect_log_rr_total` 0), with the focus community's kept under
`intervention.focus_intervention`; `rank` is the peer's own trajectory.

**三率 calibration.** The area-wide trajectory is anchored on published figures of Beijing's 接诉即办 (quoted
as read): 北京日报《接诉即办以来12345受理群众诉求超亿件》(2022-12-19, <https://legal.gmw.cn/2022-12/19/content_36242010.htm>):
“解决率、满意率在原有基础上分别提升了41个百分点和30个百分点，提升至94%、95%”, i.e. about 53 % and 65 % when
the reform began in 2019-01; 朝阳区城管监督中心 (2019-06-21, <http://www.bjchy.gov.cn/dynamic/news/8a24fe836b77a9b3016b78036f6b00e8.html>):
“2019年1至5月，12345受理群众来电250万件……群众平均满意率达到70%”; and the 2020 annual report
(<https://www.beijing.gov.cn/hudong/jpzt/2020jsjbbps>): “12345市民服务热线受理疫情相关反映165万件，解决率94.3%，满意率94.1%”.
The synthetic area is at 53 % resolved / 65 % satisfied in 2019-01 and rises to 80 % / 88 % by 2020-12; the 2020
values, everything before 2019 (45 % / 58 %) and 响应率 (85 % before 2019, 95 % → 99 % after; no published area
figure was found) are assumptions of the model, not published figures.

Side tables (CSV, UTF-8):

- `planted_linkage.csv` — `source` (parking_permits, epidemic_registration, visits, friends, teams, cases), `record_id` (the raw id; 微信号 for friends and teams, 工单编号 for cases), `household_id`, `resident_key` (empty when the record names no registry resident).
- `planted_messages.csv` — one row per message of both chat files: `msg_id` (消息编号, or `TalkerId#localId` for the WeChatMsg export), `group_id`, `category` (code, empty for chatter), `role` (report, reply, close, followup, chatter, system; followup = me-too, thanks and campaign notices), `thread_id`, `burst_id`, `sent_at`.
- `planted_cases.csv` — `case_id`, `category` (code, `other` for 其他), `household_id`, `resident_key`, `thread_id` (the chat thread it spilled from, or empty), `burst_id`.
"""


def _allowed_text(column: Column) -> str:
    if column.allowed:
        return "、".join(map(str, column.allowed))
    if column.min is not None and column.max is not None:
        return f"{column.min:g}–{column.max:g}"
    if column.min is not None:
        return f"≥ {column.min:g}"
    return ""


_RAW_LAYOUT_DOC = """\
## Layout of a raw folder / 目录结构

- **One community**: the files below at the top level of `raw/`. The community's name is the 社区 of its
  `buildings.csv`.
- **An area**: further communities in `raw/communities/<name>/`, each with the same files (its
  `buildings.csv` 社区 must be `<name>`), and `area_panel.csv` at the top level only, covering every
  community. A copy of `area_panel.csv` under `communities/<name>/` must be byte-identical to the top-level
  one (the simulator writes such copies) and is otherwise an error.
- `jiesu ingest --data-dir DIR` reads `DIR/raw` and ingests every community into one processed store
  (`DIR/processed`, see its README); the top-level community is the default one readers open.
- Files starting with `planted_` are the synthetic world's answers: recorded, never read as data.

## Reading rules / 读取规则

- CSV in UTF-8, UTF-8 with BOM, GB18030/GBK or Big5. The delimiter (comma, tab or semicolon) is
  detected from the header line; any other delimiter is an error that names it.
- XLSX: the data sheet is the one whose header row holds the contract's headers, so a 说明 (notes)
  sheet before it is skipped; a title row above the headers and a header merged over two rows are read.
- A header written twice (also in two spellings of one column, e.g. 住址 and 住 址) is an error.
- Headers may be written in Traditional script, full-width, or as the English `name`; extra columns are
  read past and listed in the manifest.
- Dates and times: `2020年9月27日`, `2020/9/27 13:14`, ISO 8601 and Excel serial numbers. ISO-8601 times
  with a UTC offset (`2020-04-01T00:11:20+08:00`, `2020-03-31T16:11:20Z`) are converted to Beijing time
  (Asia/Shanghai) and kept without the offset, so they may be mixed with times written without one.
  No date may lie in the future. No cell may be longer than 32,767 characters (Excel's limit).
- Every problem is one line naming the file, the column(s) and the first rows, numbered as the user
  sees them: physical lines of a CSV (header = line 1, blank lines count), sheet rows of an XLSX.
  `jiesu ingest` stops at the first problem and changes nothing; with `--lenient` it sets exactly the
  offending rows aside (with their reasons, in `data/interim/quarantine/`) and ingests the rest.
"""


def _rule_text(table: Table, rule: Rule) -> str:
    headers = table.header_of(rule.columns)
    if rule.scope == "row":
        right = headers[1] if rule.factor is None else f"{rule.factor:g} × {headers[1]}"
        what = f"{headers[0]} {'≤' if rule.op == '<=' else '≥'} {right}"
    else:
        what = "、".join(headers[:3]) + ("…" if len(headers) > 3 else "")
    needs = {
        "row": "",
        "table": " (checked against the community's other files)",
        "area": " (checked against every community)",
    }
    return f"- `{rule.code}`: {what} — {rule.zh} / {rule.en}{needs[rule.scope]}"


def _raw_table_markdown(table: Table) -> list[str]:
    lines = [f"## `{table.file}` — {table.zh} / {table.en}", "", f"One row = {table.grain}.", ""]
    lines += [
        "| 列 header | name | type | unit | allowed | 含义 | meaning |",
        "|---|---|---|---|---|---|---|",
    ]
    for c in table.columns:
        flags = [
            f for f, on in (("unique", c.unique), ("nullable", c.nullable), ("personal", c.personal)) if on
        ]
        dtype = c.dtype + (f" ({', '.join(flags)})" if flags else "")
        lines.append(
            f"| {c.header} | `{c.name}` | {dtype} | {c.unit} | {_allowed_text(c)} | {c.zh} | {c.en} |"
        )
    lines += [
        "",
        "Grain / 主键: "
        + " × ".join(f"{h}" for h in table.header_of(table.primary_key))
        + " (no two rows may share it).",
        "",
    ]
    if table.rules:
        lines += ["Rules / 规则:", "", *(_rule_text(table, rule) for rule in table.rules), ""]
    lines += [f"- {note}" for note in table.notes]
    if table.notes:
        lines.append("")
    return lines


def render_raw_markdown() -> str:
    """The text of ``data/raw/README.md``."""
    lines = [
        "# data/raw — the data contract / 数据约定",
        "",
        "Raw data is immutable: analyses read it, never write it. Everything here except this README is",
        "git-ignored. With the synthetic world, `jiesu simulate` writes these files; with real data, put",
        "exports that follow this contract here (CSV in UTF-8/UTF-8-BOM/GB18030, or XLSX) and run",
        "`jiesu ingest --data-dir DIR`. **Names, phone numbers, ID numbers and WeChat ids never leave this folder.**",
        "",
        "Rendered from `lib/jiesu/contract/` (`python -m jiesu.contract`); do not edit by hand.",
        f"Schema version {SCHEMA_VERSION}. Categories (二级分类): {'、'.join(LABELS)}.",
        "",
        _RAW_LAYOUT_DOC,
    ]
    for table in RAW.values():
        lines += _raw_table_markdown(table)
    lines += [
        "## Categories / 问题分类",
        "",
        "| 二级分类 | 一级分类 | season | owner team |",
        "|---|---|---|---|",
    ]
    lines += [f"| {c.label} | {c.level1} | {c.season} | {TEAMS[c.owner_team]} |" for c in CATEGORIES]
    lines += ["", PLANTED_TRUTH_DOC]
    return "\n".join(lines)


_PROCESSED_LAYOUT_DOC = """\
Written only by `jiesu ingest` (`jiesu ingest --data-dir DIR` writes `DIR/processed`). No table holds a
name, phone number, ID number or WeChat id: those are salted pseudonyms, and free text (type `text`
below) has them masked. Rendered from `lib/jiesu/contract/`; do not edit by hand.

## Layout: generations, partitioned by community

```
processed/
  current -> gen-20201001T080000Z-4242-1a2b3c     the generation readers use (a symbolic link)
  gen-20201001T080000Z-4242-1a2b3c/
    manifest.json                                   what is in this generation (below)
    households/community=甘露园南里二社区/part-0.parquet
    households/community=对照社区01/part-0.parquet
    …                                               every partitioned table the same way
    panel/part-0.parquet                            the area panel: one table for the area
  gen-…/                                            the previous generation, kept for readers still on it
  .lock                                             held by the running `jiesu ingest` (pid, host, start)
```

- **Set-atomic**: a run writes a complete new generation (every table and its manifest) under a hidden
  staging name, renames it to `gen-…`, then replaces the `current` link in one atomic step
  (`os.replace`). A reader therefore sees the old set or the new set, never a mix. A run that fails or
  is killed leaves `current` as it was; its staging folder is removed by the next run once its owner
  process is gone. Older generations than the previous one are removed too.
- **Incremental**: a community whose raw files, the code and the salt are unchanged is carried over
  into the new generation as hard links of its old files (copies where hard links are impossible);
  only changed communities are rebuilt. Nothing changed at all: nothing is written.
- **One writer**: `jiesu ingest` locks the folder (`.lock`); a second run refuses at once, naming the
  holder, or waits with `--wait SECONDS`.
- Household ids (`BB-U-RRR`) are unique within a community only: key rows by community and id.

## manifest.json

`layout`, `schema_version`, `code_version`, `created_at` (UTC), `generation` and
`previous_generation`, `cache_key` (of every input, the code, the schema and the salt), `salt_fingerprint`,
`lenient`, `synthetic`, `default_community` (the top-level community of the raw folder) and, per
community under `communities`: `raw_dir` (relative to the raw folder), `key` (the community's own cache
key), `synthetic`, `inputs` (each raw file's `sha256` and `rows`, and `ignored_columns`),
`outputs` (each table's `file`, `rows`, `bytes` and `sha256`), `quarantined` (rows set aside per table,
lenient mode), `linkage` (precision and recall against the planted truth, synthetic data only) and
`rebuilt` (false when carried over unchanged). The area tables are under `area` the same way.
Readers (`jiesu.processed`) check every table they read against it (file size and row count) and refuse
a mismatched or half set with an error naming the command that rebuilds it.

## Reading a table

```python
from jiesu import processed
processed.communities("data/processed")                     # ['对照社区01', …, '甘露园南里二社区']
processed.read_table("data/processed", "messages", "对照社区01")  # one community, checked
processed.read_table("data/processed", "panel")              # the area panel

import pandas as pd, pyarrow.dataset as ds                  # without jiesu: resolve `current` once
pd.read_parquet("data/processed/current/messages/community=对照社区01/part-0.parquet")
pd.read_parquet("data/processed/current/messages", filters=[("community", "==", "对照社区01")])
ds.dataset("data/processed/current/messages", partitioning="hive").to_table()  # every community
```

Read through the API (or resolve `current` once) when several tables must come from one generation.
A community name with `/`, `%`, `=` or control characters is percent-encoded in the folder name
(hive style, which pyarrow decodes).
"""


def render_processed_markdown() -> str:
    """The text of ``data/processed/README.md``."""
    lines = ["# data/processed — validated, pseudonymized tables", "", _PROCESSED_LAYOUT_DOC]
    for key, (path, grain, columns, partitioned) in PROCESSED.items():
        where = f"{path}/community=<name>/part-0.parquet" if partitioned else f"{path}/part-0.parquet"
        lines += [f"## `{key}` — `{where}`", "", f"One row = {grain}.", ""]
        lines += ["| column | type | meaning |", "|---|---|---|"]
        lines += [f"| `{name}` | {dtype} | {meaning} |" for name, dtype, meaning in columns]
        lines.append("")
    return "\n".join(lines)
