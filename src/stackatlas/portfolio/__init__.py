"""stackatlas.portfolio."""
