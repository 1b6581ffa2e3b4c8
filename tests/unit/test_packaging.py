"""What can be checked of the image and the IAM policy without a Docker engine or AWS."""

from __future__ import annotations

import json
import re
import tomllib

from tests.conftest import ROOT

DOCKERFILE = (ROOT / "Dockerfile").read_text()
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_base_image_is_pinned_to_a_patch_version():
    base = re.search(r"^FROM (\S+)", DOCKERFILE, re.M).group(1)
    assert re.fullmatch(r"python:3\.11\.\d+-slim-\w+", base), base


def test_the_image_runs_as_a_non_root_user():
    users = re.findall(r"^USER (\S+)", DOCKERFILE, re.M)
    assert users and users[-1] not in ("root", "0")


def test_the_image_installs_like_ci_and_copies_every_package():
    assert re.search(r"pip install --constraint constraints\.txt \.(\s|$)", DOCKERFILE)
    makefile = (ROOT / "Makefile").read_text()
    assert "--constraint constraints.txt" in makefile  # the same pins as CI
    copied = set(re.findall(r"^COPY (\w+) \./\1$", DOCKERFILE, re.M))
    assert set(PYPROJECT["tool"]["setuptools"]["packages"]) <= copied
    workdir = re.search(r"^WORKDIR (\S+)", DOCKERFILE, re.M).group(1)
    assert f"directory: {workdir}" in (ROOT / "prefect.yaml").read_text()  # the pull step cds there


def test_constraints_pin_every_runtime_dependency():
    pinned = {line.split("==")[0].lower().replace("_", "-") for line in (ROOT / "constraints.txt").read_text().splitlines()
              if "==" in line}
    for requirement in PYPROJECT["project"]["dependencies"]:
        name = re.match(r"[A-Za-z0-9_.-]+", requirement).group(0).lower().replace("_", "-")
        assert name in pinned, name


def test_the_deployment_entrypoint_loads_the_flow():
    from prefect.flows import load_flow_from_entrypoint

    flow = load_flow_from_entrypoint(str(ROOT / "flows" / "build_campaign.py") + ":build_campaign")
    assert flow.name == "build-campaign"


def test_task_role_policy_is_least_privilege():
    policy = json.loads((ROOT / "deployments" / "task-role-policy.json").read_text())
    actions = {a for s in policy["Statement"] for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])}
    assert actions <= {"s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:GetObject",
                       "secretsmanager:GetSecretValue", "kms:GenerateDataKey", "kms:Decrypt"}
    assert not any("*" == a or a.endswith(":*") for a in actions)
    for statement in policy["Statement"]:
        resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        assert "*" not in resources
