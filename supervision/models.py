"""Models of the supervision app (added by later work)."""
