"""Alignment of a derived article with its source: which source sentences each derived paragraph draws on, and how
(content, wording, order). The result is plain frozen data (provenance.model) that scorers and detectors read."""
