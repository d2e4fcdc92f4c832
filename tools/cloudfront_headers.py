"""CloudFront's security headers (a response-headers policy's SecurityHeadersConfig),
made from the headers the app sends (functions/loket/web/headers.py, through
tools/security_headers.py) for the built site, as JSON that serverless.yml includes.

    .venv/bin/python tools/cloudfront_headers.py [--site-dir site] --bucket NAME > FILE.json

The attachments bucket's origins go into the Content-Security-Policy as an Fn::Sub,
so NAME may hold ${AWS::AccountId} and ${AWS::Region} (deploy.mk passes the bucket
name serverless.yml gives it: a name, not a Ref, or the distribution, this policy and
the bucket's CORS rule would depend on each other). Every header is
`Override: false`: what the app sets itself (the API's stricter policy, an
attachment's sandbox) stays; the static site, which S3 serves bare, gets these.
A header this script does not know how to hand to CloudFront is an error, so the
two can never drift apart silently (tests/deploy/test_security_headers_policy.py).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from security_headers import ROOT, headers_for



def bucket_origins(bucket: str) -> tuple[str, ...]:
    """Where browsers upload to and load from (loket/blobs/s3.py: virtual hosts)."""
    return (f"https://{bucket}.s3.amazonaws.com",
            f"https://{bucket}.s3.${{AWS::Region}}.amazonaws.com")


def hsts(value: str) -> dict:
    found = re.fullmatch(r"max-age=(\d+)((?:; *includeSubDomains)?)((?:; *preload)?)", value)
    if not found:
        raise SystemExit(f"Strict-Transport-Security {value!r}: not a form CloudFront takes")
    return {"AccessControlMaxAgeSec": int(found[1]), "IncludeSubdomains": bool(found[2]),
            "Preload": bool(found[3]), "Override": False}


def security_headers_config(headers: dict[str, str]) -> dict:
    config, left = {}, dict(headers)
    config["ContentSecurityPolicy"] = {
        "ContentSecurityPolicy": {"Fn::Sub": left.pop("Content-Security-Policy")},
        "Override": False}
    if left.pop("X-Content-Type-Options") != "nosniff":
        raise SystemExit("CloudFront's ContentTypeOptions only says nosniff")
    config["ContentTypeOptions"] = {"Override": False}
    config["FrameOptions"] = {"FrameOption": left.pop("X-Frame-Options"), "Override": False}
    config["ReferrerPolicy"] = {"ReferrerPolicy": left.pop("Referrer-Policy"),
                                "Override": False}
    config["StrictTransportSecurity"] = hsts(left.pop("Strict-Transport-Security"))
    if left:
        raise SystemExit(f"no CloudFront setting for {sorted(left)}: add it here")
    return config


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site-dir", type=Path, default=ROOT / "site")
    parser.add_argument("--bucket", required=True,
                        help="the attachments bucket's name (Fn::Sub text)")
    args = parser.parse_args()
    headers = headers_for(args.site_dir, https=True, file_origins=bucket_origins(args.bucket))
    json.dump(security_headers_config(headers), sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
