"""stackatlas.atlas."""
