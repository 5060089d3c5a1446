"""jiesu: a research and reporting workspace for community governance under Beijing's 12345
接诉即办 (respond-upon-complaint) model.

Modules are named for what they hold: ``settings`` (paths), ``contract`` (the raw and processed data
contract), ``simulate`` (the synthetic world), ``ingest`` (raw → processed), ``registry`` and
``network`` (who is reached), ``text``/``topics``/``early_warning`` (what residents talk about),
``ranking``/``impact`` (complaint rank and intervention effects), ``scorecard`` (planted-truth
evaluation), ``report`` (rendering), ``cli`` (the ``jiesu`` command).
"""

__version__ = "0.1.0"
