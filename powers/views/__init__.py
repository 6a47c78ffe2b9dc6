"""Pages of the catalogue: signed-in screens and the public disclosure pages."""
