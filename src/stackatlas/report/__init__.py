"""stackatlas.report."""
