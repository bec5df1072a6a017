"""stackatlas.web."""
