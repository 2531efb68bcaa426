"""microcred: provable micro-internships as Open Badges 3.0 credentials."""

__version__ = "0.1.0"
