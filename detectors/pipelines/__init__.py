"""Inference pipelines: decoded media to a :class:`fakeguard.detectors.report.Report`, stage by stage, timed."""
