"""Models of the cases app (added by later work)."""
