"""The CSV contract: portal payload models, the campaign row, errors with exit codes."""
