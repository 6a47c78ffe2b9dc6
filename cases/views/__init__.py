"""Thin views of the cases app: they read through selectors and write through services."""
