# The flow's image: what the ECS worker runs for each flow run.
# Base pinned by version; the project installed as CI installs it (same constraints), without test extras.
FROM python:3.11.7-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PREFECT_LOGGING_SETTINGS_PATH=/opt/prefect/sms-campaign-builder/flows/logging.yml

# Prefect's convention: the project lives at /opt/prefect/<project>; prefect.yaml's pull step cds there.
WORKDIR /opt/prefect/sms-campaign-builder

COPY pyproject.toml constraints.txt README.md ./
COPY flows ./flows
COPY tasks ./tasks
COPY contracts ./contracts
COPY blocks ./blocks
COPY pipeline ./pipeline
COPY storage ./storage
COPY shadow ./shadow
COPY portal_sim ./portal_sim
COPY prefect.yaml ./

RUN pip install --constraint constraints.txt . \
    && useradd --uid 10001 --no-create-home --shell /usr/sbin/nologin campaign

USER 10001

# The ECS worker overrides the command to run a flow run; this is for `docker run IMAGE`.
CMD ["campaign-cli", "--version"]
