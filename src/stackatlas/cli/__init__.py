"""stackatlas.cli."""
