"""CloudFront's response-headers policy in the packaged template says what the app
says (functions/loket/web/headers.py) for the built site: the same CSP (with the
attachments bucket's real origins), frame, referrer, nosniff and HSTS headers, on
every path, never overriding what the app sets itself."""

from __future__ import annotations

import importlib.util
import re

import pytest

from loket.web.headers import page_policy, security_headers, site_script_hashes
from tests.deploy.cloudformation import REGION
from tests.paths import ROOT

pytestmark = pytest.mark.slow


def tool():
    spec = importlib.util.spec_from_file_location(
        "cloudfront_headers", ROOT / "tools" / "cloudfront_headers.py",
        submodule_search_locations=None)
    import sys

    sys.path.insert(0, str(ROOT / "tools"))
    try:
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(ROOT / "tools"))
    return module


def directives(policy: str) -> dict[str, set[str]]:
    """A CSP as directive -> sources (their order means nothing)."""
    parts = (d.split() for d in policy.split(";") if d.strip())
    return {name: set(sources) for name, *sources in parts}


@pytest.fixture
def policy(stack):
    [(name, resource)] = stack.of_type("AWS::CloudFront::ResponseHeadersPolicy").items()
    config = stack.resolve(resource["Properties"]["ResponseHeadersPolicyConfig"])
    return name, config["SecurityHeadersConfig"]


def test_the_policy_is_the_apps_headers_for_the_built_site(stack, policy):
    _, config = policy
    bucket = stack.name("AttachmentsBucket")
    origins = (f"https://{bucket}.s3.amazonaws.com", f"https://{bucket}.s3.{REGION}.amazonaws.com")
    app = security_headers(policy=page_policy(site_script_hashes((ROOT / "site").resolve()),
                                              file_origins=origins), https=True)
    assert directives(config["ContentSecurityPolicy"]["ContentSecurityPolicy"]) == \
        directives(app["Content-Security-Policy"])
    assert config["FrameOptions"]["FrameOption"] == app["X-Frame-Options"] == "DENY"
    assert config["ReferrerPolicy"]["ReferrerPolicy"] == app["Referrer-Policy"] == "no-referrer"
    assert app["X-Content-Type-Options"] == "nosniff" and "ContentTypeOptions" in config
    max_age = int(re.search(r"max-age=(\d+)", app["Strict-Transport-Security"])[1])
    assert config["StrictTransportSecurity"]["AccessControlMaxAgeSec"] == max_age
    assert config["StrictTransportSecurity"]["IncludeSubdomains"] == (
        "includeSubDomains" in app["Strict-Transport-Security"])
    assert "frame-ancestors 'none'" in app["Content-Security-Policy"]


def test_the_app_keeps_its_own_headers(policy):
    _, config = policy
    assert all(setting["Override"] is False for setting in config.values())


def test_every_path_gets_the_policy(stack, policy):
    name, _ = policy
    [distribution] = stack.of_type("AWS::CloudFront::Distribution").values()
    config = distribution["Properties"]["DistributionConfig"]
    for behavior in [config["DefaultCacheBehavior"], *config["CacheBehaviors"]]:
        assert behavior["ResponseHeadersPolicyId"] == {"Ref": name}, behavior.get("PathPattern")


def test_a_header_cloudfront_cannot_carry_is_refused():
    module = tool()
    with pytest.raises(SystemExit, match="no CloudFront setting"):
        module.security_headers_config({
            **security_headers(policy="default-src 'self'", https=True),
            "Permissions-Policy": "camera=()"})
    with pytest.raises(SystemExit, match="not a form CloudFront takes"):
        module.hsts("max-age=abc")
