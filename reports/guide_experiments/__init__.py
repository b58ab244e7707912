"""The measurements behind the warmup and batch-size how-tos.

``python -m reports.guide_experiments`` writes ``warmup.json``,
``batch_size.json`` and their figures into this folder; the pages include
them. See ``__main__.py``.
"""
