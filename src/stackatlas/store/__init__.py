"""stackatlas.store."""
