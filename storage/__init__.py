"""Campaign output: CSV rendering and atomic writes to a local path, S3 or stdout."""
