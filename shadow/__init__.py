"""Shadow runs: a semantic CSV diff against the legacy tool's output."""
