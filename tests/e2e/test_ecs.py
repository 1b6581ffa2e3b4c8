"""The ECS side of the deployment, as far as it can be checked without AWS.

1. The work pool is created on a real Prefect server from deployments/ecs-base-job-template.json.
2. prefect-aws's ECS worker renders the `daily` deployment's job variables from prefect.yaml
   (filled from deployments/env.example) and, against moto's ECS, registers the task
   definition and sends the run-task request: both carry the image, cpu, memory, roles,
   network and environment; a second run reuses the task definition revision.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
import uuid
from unittest import mock

import boto3
import pytest
import yaml

from tests.conftest import ROOT

pytestmark = pytest.mark.e2e
TEMPLATE = ROOT / "deployments" / "ecs-base-job-template.json"


def example_env(**overrides) -> dict:
    env = dict(re.findall(r"^export (\w+)=(.*)$", (ROOT / "deployments" / "env.example").read_text(), re.M))
    return {**env, **overrides}


def daily_job_variables(env: dict) -> dict:
    """The daily deployment's job variables as `prefect deploy` fills them ({{ $NAME }} from the environment)."""
    from prefect.utilities.templating import apply_values

    config = yaml.safe_load((ROOT / "prefect.yaml").read_text())
    daily = next(d for d in config["deployments"] if d["name"] == "daily")
    assert daily["work_pool"]["name"] == "sms-campaign-ecs"
    with mock.patch.dict(os.environ, env):
        return apply_values(daily["work_pool"]["job_variables"], os.environ, remove_notset=False)


def test_the_ecs_work_pool_is_created_from_deployments(prefect_server):
    from prefect import get_client

    done = subprocess.run([sys.executable, "-m", "prefect", "work-pool", "create", "sms-campaign-ecs", "--type", "ecs",
                           "--base-job-template", str(TEMPLATE), "--overwrite"], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    with get_client(sync_client=True) as client:
        pool = client.read_work_pool("sms-campaign-ecs")
    assert pool.type == "ecs" and pool.base_job_template == json.loads(TEMPLATE.read_text())


def test_every_job_variable_in_prefect_yaml_is_one_the_ecs_worker_knows():
    variables = json.loads(TEMPLATE.read_text())["variables"]["properties"]
    used = daily_job_variables(example_env())
    assert set(used) <= set(variables), f"unknown job variables (accepted silently by Prefect): {set(used) - set(variables)}"
    rendered = json.dumps(used)
    assert "{{" not in rendered, "a placeholder has no value in deployments/env.example"


def test_ecs_worker_registers_the_task_definition_and_runs_the_task_from_prefect_yaml(aws, monkeypatch):
    from prefect.client.schemas.objects import FlowRun
    from prefect_aws.workers.ecs_worker import ECSJobConfiguration, ECSWorker

    ec2 = boto3.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})  # moto's awsvpc tasks need it
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.9.1.0/24")["Subnet"]["SubnetId"]
    group = ec2.create_security_group(GroupName="campaign", Description="campaign", VpcId=vpc)["GroupId"]
    ecs = boto3.client("ecs")
    ecs.create_cluster(clusterName="sms-campaign-prod")
    env = example_env(CAMPAIGN_VPC_ID=vpc, CAMPAIGN_SUBNET_ID=subnet, CAMPAIGN_SECURITY_GROUP_ID=group)
    job_variables = daily_job_variables(env)

    requests = []
    real_create = ECSWorker._create_task_run
    monkeypatch.setattr(ECSWorker, "_create_task_run",
                        lambda self, client, request: (requests.append(request), real_create(self, client, request))[1])

    async def run_once():
        template = json.loads(TEMPLATE.read_text())
        configuration = await ECSJobConfiguration.from_template_and_values(template, job_variables)
        flow_run = FlowRun(id=uuid.uuid4(), flow_id=uuid.uuid4(), deployment_id=uuid.uuid4(), name="daily-run")
        configuration.prepare_for_flow_run(flow_run)
        # Not `async with`: starting the worker also starts its SQS observer, which moto cannot serve in-process.
        return await ECSWorker(work_pool_name="sms-campaign-ecs").run(flow_run, configuration)

    first = asyncio.run(run_once())
    assert first.status_code == 0 and "sms-campaign-prod" in first.identifier

    definitions = ecs.list_task_definitions(familyPrefix="sms-campaign")["taskDefinitionArns"]
    definition = ecs.describe_task_definition(taskDefinition=definitions[0])["taskDefinition"]
    container = definition["containerDefinitions"][0]
    assert container["image"] == env["CAMPAIGN_IMAGE"] and container["name"] == "campaign"
    assert (definition["cpu"], definition["memory"]) == ("1024", "2048")
    assert definition["executionRoleArn"] == env["CAMPAIGN_EXECUTION_ROLE_ARN"]
    assert definition["requiresCompatibilities"] == ["FARGATE"] and definition["networkMode"] == "awsvpc"
    logs = container["logConfiguration"]
    assert logs["logDriver"] == "awslogs" and logs["options"]["awslogs-group"] == "/ecs/sms-campaign"

    request = requests[0]
    assert request["cluster"] == "sms-campaign-prod" and request["launchType"] == "FARGATE"
    assert request["overrides"]["taskRoleArn"] == env["CAMPAIGN_TASK_ROLE_ARN"]
    network = request["networkConfiguration"]["awsvpcConfiguration"]
    assert (network["subnets"], network["securityGroups"], network["assignPublicIp"]) == ([subnet], [group], "DISABLED")
    environment = {e["name"]: e["value"] for e in request["overrides"]["containerOverrides"][0]["environment"]}
    for name in ("NETLIFE_SECRET_ARN", "CAMPAIGN_BUCKET", "PORTALS"):
        assert environment[name] == env[name]
    assert environment["CAMPAIGN_TZ"] == "America/New_York"
    assert environment["PREFECT_RESULTS_DEFAULT_STORAGE_BLOCK"] == "s3-bucket/campaign-results"
    assert "PREFECT__FLOW_RUN_ID" in environment

    tasks = ecs.describe_tasks(cluster="sms-campaign-prod", tasks=[first.identifier.split("::")[1]])["tasks"]
    assert tasks and tasks[0]["taskDefinitionArn"] == definitions[0]

    asyncio.run(run_once())  # match_latest_revision_in_family: the same revision, no new registration
    assert ecs.list_task_definitions(familyPrefix="sms-campaign")["taskDefinitionArns"] == definitions
    assert requests[1]["taskDefinition"] == definitions[0]


def test_prefect_deploy_accepts_the_project_prefect_yaml_unchanged(prefect_server):
    """Run after the other e2e tests: it points the deployments at the ECS pool."""
    from prefect import get_client

    deploy_env = {k: v for k, v in example_env().items() if k != "PREFECT_API_URL"}  # keep the test server
    env = {**os.environ, **deploy_env}
    done = subprocess.run([sys.executable, "-m", "prefect", "--no-prompt", "deploy", "--all"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    with get_client(sync_client=True) as client:
        daily = client.read_deployment_by_name("build-campaign/daily")
    assert daily.work_pool_name == "sms-campaign-ecs"
    assert daily.job_variables["image"] == env["CAMPAIGN_IMAGE"]
    assert daily.job_variables["env"]["NETLIFE_SECRET_ARN"] == env["NETLIFE_SECRET_ARN"]
    assert daily.pull_steps == [{"prefect.deployments.steps.set_working_directory":
                                 {"directory": "/opt/prefect/sms-campaign-builder"}}]
