"""Figures computed from a trace: the summary of one run (``summary``), the table that names
and writes its figures (``figures``), the plots' data (``plots``) and the A/B verdict."""
