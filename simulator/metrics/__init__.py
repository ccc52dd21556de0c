"""Figures computed from a trace: the summary of one run and the verdict between two."""
