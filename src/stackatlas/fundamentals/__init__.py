"""stackatlas.fundamentals."""
