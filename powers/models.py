"""Models of the powers app (added by later work)."""
