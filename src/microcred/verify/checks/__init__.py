"""The nine checks, one function each, in DESIGN section 4 order."""
