"""stackatlas.scenarios."""
