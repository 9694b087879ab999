"""Data layer: paths, the raw data package, the one validated loader, and the all-or-nothing publication of processed files."""
