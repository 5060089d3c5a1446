"""Did the intervention work?  Interrupted time series, difference-in-differences, the naive
before/after comparison and why it misleads, channel substitution, category mix and time to close.

The seed's story: 甘露园南里二社区 started its "12345全攻略" in mid-2018 (园园, categorized groups,
未诉先办) and its complaint rate fell.  But Beijing launched 接诉即办 in January 2019 — calls rose
everywhere — and the 2020 epidemic changed what people called about.  An area-wide shock that
coincides with the intervention is the classic trap of before/after comparisons.

Design (names as in the code):

* ``ramp(t)`` – intervention intensity 0…1: 0 before ``start``, linear over ``ramp_months``, 1 from
  ``full_from = start + ramp_months``.  The **estimand** is the log rate ratio of the focus
  community's total requests in the months from ``full_from`` on, with versus without the
  intervention: ``log Σ_{t≥full_from} μ_t − log Σ_{t≥full_from} μ⁰_t``.
* **Controlled ITS** (:func:`its`) – a segmented Poisson GLM for the focus community's monthly
  requests, ``log μ_t = log residents_t + log r^peers_t + β₀ + Σ Fourier(month-of-year) + δ·ramp(t)``
  (+ ``β₁·t`` with ``trend=True``), where ``r^peers_t`` is the pooled request rate of all other
  communities of the area in the same month.  *Why the peers' rate:* the 2019-01 launch surge and the
  2020 epidemic hit every community at the same time as the ramp completes; a single-series ITS
  would read the surge as "the intervention failed" (or any simultaneous drop as success).  Using the
  peers' rate as an offset (coefficient 1: the focus would have moved with the area) removes every
  area-wide shock and the area's seasonality; the Fourier terms catch seasonality of the focus beyond
  the area's.  ``control="covariate"`` estimates the coefficient instead; ``control="none"`` is the
  uncontrolled single-series ITS, shown for contrast.  Standard errors: quasi-Poisson (Pearson
  χ²/df scale) with a t reference distribution on the residual degrees of freedom; Newey–West (HAC)
  errors are reported beside them but not used for the interval, because in series this short they
  are too narrow (Turner et al. 2021, *BMC Med Res Methodol* 21:181; Bernal, Cummins & Gasparrini
  2017, *Int J Epidemiol* 46:348 for the design).
* **Difference-in-differences** (:func:`did`) – Poisson GLM on community × month counts with
  community and month fixed effects and ``δ·ramp(t)·[focus]`` (offset log residents): a two-way
  fixed-effects log-linear DiD (Wooldridge 2023, *Econometrics Journal* 26:C31).  Its interval uses
  heteroskedasticity-robust (HC1) errors, valid with one treated unit when its months are not
  serially correlated (the event study and the placebos are the check).  Cluster-robust (by community) errors are computed and
  reported, but with a single treated community they are badly anti-conservative: the treated
  cluster's score for δ is zero at the estimate, so the clustered variance misses the focus's own
  noise (Conley & Taber 2011, *REStat* 93:113; MacKinnon & Webb 2017, *J Appl Econometrics* 32:233).
  A placebo-in-space distribution (:func:`placebo_in_space`, each peer in turn as the "treated"
  community) gives the permutation p-value.
* **Event study** (:func:`event_study`) – the same fixed-effects model with focus × event-time bins
  (quarters relative to ``start``; the quarter before ``start`` is the reference) instead of the ramp:
  flat pre-period coefficients support parallel trends.
* **Synthetic control** (:func:`synthetic_control`) – a convex combination of peers matched on the
  focus's pre-period monthly rates, with placebo inference; a cross-check, weak here because the
  focus is at the edge of the peers' range before the intervention.
* **Naive before/after** (:func:`naive_before_after`) – ``log(mean monthly requests from full_from /
  mean monthly requests before start)`` for the focus alone.  Its bias is the area-wide change over
  the same windows, measured on the peers (``area_shift``): naive ≈ effect + area_shift.

Channel substitution (:func:`channel_substitution`): did problems fall, or move from the 12345 hotline
into the WeChat groups?  Hotline counts are compared with total issues = hotline + issues raised in
the groups (resident messages taken up by staff, :func:`chat_issues`), and with interception
(issues closed in the group that never reached 12345) from :mod:`jiesu.analysis.early_warning` when that
module provides it.
"""

# The public API, re-exported in the manner of networkx's algorithm packages: import from here.
from jiesu.analysis.impact.channels import (
    category_mix,
    channel_substitution,
    channel_summary,
    time_to_close,
)
from jiesu.analysis.impact.compare import (
    compare_estimates,
    expected_ranks,
    naive_before_after,
)
from jiesu.analysis.impact.design import (
    LEVEL,
    Estimate,
    Intervention,
    area_series,
    with_controls,
)
from jiesu.analysis.impact.did import (
    SE_KINDS,
    PoissonFit,
    did,
    event_study,
    parallel_trends,
    placebo_in_space,
    poisson_fit,
)
from jiesu.analysis.impact.figures import (
    channel_figure,
    estimates_figure,
    event_study_figure,
    its_figure,
    parallel_trends_figure,
)
from jiesu.analysis.impact.its import (
    its,
)
from jiesu.analysis.impact.synthetic_control import (
    synthetic_control,
)

__all__ = [
    "LEVEL",
    "Intervention",
    "Estimate",
    "area_series",
    "with_controls",
    "its",
    "PoissonFit",
    "poisson_fit",
    "SE_KINDS",
    "did",
    "event_study",
    "parallel_trends",
    "placebo_in_space",
    "synthetic_control",
    "expected_ranks",
    "naive_before_after",
    "compare_estimates",
    "channel_substitution",
    "channel_summary",
    "category_mix",
    "time_to_close",
    "its_figure",
    "parallel_trends_figure",
    "event_study_figure",
    "estimates_figure",
    "channel_figure",
]
