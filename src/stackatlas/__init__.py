"""stackatlas."""
