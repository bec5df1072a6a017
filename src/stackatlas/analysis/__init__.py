"""stackatlas.analysis."""
