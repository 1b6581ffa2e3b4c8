"""The flow, its parameters, the CLI that runs it, logging setup.

Importing this package points Prefect at the project's JSON logging config
(unless PREFECT_LOGGING_SETTINGS_PATH is already set), so it must come before
`import prefect` in an entry point.
"""

from flows.logs import use_project_logging

use_project_logging()
