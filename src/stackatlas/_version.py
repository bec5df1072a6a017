"""The stackatlas version: the single place it is written (the wheel, the CLI, the web app,
the report footer and the export manifest all read it from here)."""

__version__ = "0.2.0"
