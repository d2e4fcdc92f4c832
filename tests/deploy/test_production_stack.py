"""What a production stack needs, read from the packaged template: failures kept and
alarmed, abuse limits, data that survives mistakes, names unique per installation,
access logs. Generic over the template's functions and buckets, so a new one is held
to the same rules."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow


def functions(stack) -> dict[str, dict]:
    return stack.of_type("AWS::Lambda::Function")


def ref_name(value) -> str | None:
    if isinstance(value, dict):
        if "Ref" in value:
            return value["Ref"]
        if "Fn::GetAtt" in value:
            return value["Fn::GetAtt"][0]
    return None


def alarms(stack) -> list[dict]:
    return [a["Properties"] for a in stack.of_type("AWS::CloudWatch::Alarm").values()]


def alarm_for(stack, namespace: str, metric: str, dimension_ref: str | None = None):
    found = []
    for alarm in alarms(stack):
        if (alarm["Namespace"], alarm["MetricName"]) != (namespace, metric):
            continue
        dimensions = alarm.get("Dimensions")
        refs = {ref_name(d["Value"]) for d in dimensions} if isinstance(dimensions, list) else set()
        if dimension_ref is None or dimension_ref in refs:
            found.append(alarm)
    return found


def http_functions(stack) -> set[str]:
    """Functions the HTTP API calls (synchronously); every other one is called
    asynchronously (schedule, S3, SNS, SQS...)."""
    found = set()
    for integration in stack.of_type("AWS::ApiGatewayV2::Integration").values():
        found.add(ref_name(integration["Properties"]["IntegrationUri"]))
    return found


def test_every_function_has_error_and_throttle_alarms_to_the_operator(stack):
    [subscription] = [s for s in stack.of_type("AWS::SNS::Subscription").values()
                      if s["Properties"]["Protocol"] == "email"]
    topic = ref_name(subscription["Properties"]["TopicArn"])
    for function in functions(stack):
        for metric in ("Errors", "Throttles"):
            found = alarm_for(stack, "AWS/Lambda", metric, function)
            assert found, f"{function} has no {metric} alarm"
            assert all(ref_name(a["AlarmActions"][0]) == topic for a in found)
    assert subscription["Properties"]["Endpoint"] == {"Ref": "OperatorEmail"}
    assert subscription["Condition"] == "HasOperatorEmail"


def test_asynchronous_functions_keep_failed_events_where_an_alarm_sees_them(stack):
    configs = {ref_name(c["Properties"]["FunctionName"]): c["Properties"]
               for c in stack.of_type("AWS::Lambda::EventInvokeConfig").values()}
    asynchronous = set(functions(stack)) - http_functions(stack)
    assert asynchronous, "no asynchronous function found"
    for function in asynchronous:
        assert function in configs, f"{function} drops a failed event: no on-failure destination"
        queue = ref_name(configs[function]["DestinationConfig"]["OnFailure"]["Destination"])
        assert stack.resources[queue]["Type"] == "AWS::SQS::Queue"
        depth = [a for a in alarm_for(stack, "AWS/SQS", "ApproximateNumberOfMessagesVisible")
                 if ref_name(a["Dimensions"][0]["Value"]) == queue]
        assert depth, f"no alarm on the depth of {queue}"
        role = functions(stack)[function]["Properties"]["Role"]["Fn::GetAtt"][0]
        statements = [s for p in stack.resources[role]["Properties"]["Policies"]
                      for s in p["PolicyDocument"]["Statement"]]
        assert any(s["Action"] == "sqs:SendMessage" and ref_name(s["Resource"]) == queue
                   for s in statements), f"{role} may not put failed events on {queue}"


def test_api_and_mail_failures_are_alarmed(stack):
    assert alarm_for(stack, "AWS/ApiGateway", "5xx", "HttpApi")
    assert alarm_for(stack, "AWS/SES", "Reject")
    assert alarm_for(stack, "AWS/SES", "Reputation.BounceRate")


def test_abuse_limits(stack):
    for function in http_functions(stack):
        assert functions(stack)[function]["Properties"].get("ReservedConcurrentExecutions"), (
            f"{function} has no reserved concurrency")
    [stage] = stack.of_type("AWS::ApiGatewayV2::Stage").values()
    settings = stage["Properties"]["DefaultRouteSettings"]
    assert settings["ThrottlingRateLimit"] > 0 and settings["ThrottlingBurstLimit"] > 0
    [distribution] = stack.of_type("AWS::CloudFront::Distribution").values()
    config = distribution["Properties"]["DistributionConfig"]
    assert config["WebACLId"] == {"Fn::If": ["HasWebAcl", {"Ref": "WebAclArn"},
                                             {"Ref": "AWS::NoValue"}]}


def test_data_survives_mistakes(stack):
    [table] = stack.of_type("AWS::DynamoDB::Table").values()
    assert table["Properties"]["DeletionProtectionEnabled"] is True
    assert table["DeletionPolicy"] == "Retain"
    # README.md, Backups: the DynamoDB store's backup is point-in-time recovery.
    assert table["Properties"]["PointInTimeRecoverySpecification"] == {
        "PointInTimeRecoveryEnabled": True}
    attachments = stack.resources["AttachmentsBucket"]
    assert attachments["Properties"]["VersioningConfiguration"] == {"Status": "Enabled"}
    assert attachments["DeletionPolicy"] == "Retain"


def test_inbound_mail_has_a_retention_rule(stack):
    [rule] = stack.of_type("AWS::SES::ReceiptRule").values()
    [action] = rule["Properties"]["Rule"]["Actions"]
    bucket = ref_name(action["S3Action"]["BucketName"])
    prefix = action["S3Action"]["ObjectKeyPrefix"]
    rules = stack.resources[bucket]["Properties"]["LifecycleConfiguration"]["Rules"]
    assert any(r["Status"] == "Enabled" and r.get("Prefix") == prefix
               and r.get("ExpirationInDays") for r in rules)


def test_refused_mail_is_kept_as_long_as_portal_yml_says(stack):
    """The raw messages under refused/ go after retention.refused_mail_days (#15), as
    the table's TTL removes their records."""
    from loket.config import load_portal_config
    from tests.paths import SITE_CONFIG

    days = load_portal_config(SITE_CONFIG).retention.refused_mail_days
    rules = stack.resources["AttachmentsBucket"]["Properties"]["LifecycleConfiguration"]
    assert {"Id": "expire-refused-mail", "Status": "Enabled", "Prefix": "refused/",
            "ExpirationInDays": days} in rules["Rules"]


def test_bucket_names_are_unique_per_installation(stack):
    for name, bucket in stack.of_type("AWS::S3::Bucket").items():
        given = bucket["Properties"].get("BucketName")
        if given is None:
            continue  # CloudFormation makes a unique one.
        text = given.get("Fn::Sub", "") if isinstance(given, dict) else given
        assert "${AWS::AccountId}" in text and "${AWS::Region}" in text, (name, given)


def test_access_logs_where_aws_recommends_them(stack):
    # osls' deployment bucket holds only the packaged zip and template.
    buckets = {name: b for name, b in stack.of_type("AWS::S3::Bucket").items()
               if name != "ServerlessDeploymentBucket"}
    logs = {name for name, b in buckets.items() if "LoggingConfiguration" not in b["Properties"]}
    assert len(logs) == 1, f"buckets without server access logs: {sorted(logs)}"
    [logs_bucket] = logs
    for name, bucket in buckets.items():
        if name != logs_bucket:
            target = bucket["Properties"]["LoggingConfiguration"]["DestinationBucketName"]
            assert ref_name(target) == logs_bucket, name
    [distribution] = stack.of_type("AWS::CloudFront::Distribution").values()
    logging = distribution["Properties"]["DistributionConfig"]["Logging"]
    assert ref_name(logging["Bucket"]) == logs_bucket
    [stage] = stack.of_type("AWS::ApiGatewayV2::Stage").values()
    assert stage["Properties"]["AccessLogSettings"]["DestinationArn"]


# Resources whose names are unique per account (not per region), and where the name is.
ACCOUNT_WIDE_NAMES = {
    "AWS::CloudFront::OriginAccessControl": ("OriginAccessControlConfig", "Name"),
    "AWS::CloudFront::Function": ("Name",),
    "AWS::CloudFront::ResponseHeadersPolicy": ("ResponseHeadersPolicyConfig", "Name"),
    "AWS::CloudFront::CachePolicy": ("CachePolicyConfig", "Name"),
    "AWS::CloudFront::OriginRequestPolicy": ("OriginRequestPolicyConfig", "Name"),
}


def test_account_wide_names_hold_the_region(stack):
    """Two installations of one stage in two regions of one account must not collide."""
    for kind, path in ACCOUNT_WIDE_NAMES.items():
        for name, resource in stack.of_type(kind).items():
            value = resource["Properties"]
            for key in path:
                value = value[key]
            text = value.get("Fn::Sub", "") if isinstance(value, dict) else value
            assert "${AWS::Region}" in text or "${AWS::StackName}" in text, (name, value)
