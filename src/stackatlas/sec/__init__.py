"""stackatlas.sec."""
