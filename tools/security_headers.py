"""Print the security headers of a built site, for CloudFront's response-headers policy.

    .venv/bin/python tools/security_headers.py [--site-dir site] [--http] [--json]
        [--file-origin https://BUCKET.s3.REGION.amazonaws.com ...]

The values come from functions/loket/web/headers.py (the ones Flask sends), with the
Content-Security-Policy's script hashes read from the built site, so a deploy that
builds the site first and then this gives CloudFront exactly what `loket serve` sends.
Without --json: one `Name: value` line per header.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "functions"))

from loket.web.headers import page_policy, security_headers, site_script_hashes  # noqa: E402


# CloudFront refuses a Content-Security-Policy longer than this in a response-headers
# policy; the site's few distinct inline scripts keep it well below.
CLOUDFRONT_CSP_LIMIT = 1783


def headers_for(site_dir: Path, *, https: bool = True,
                file_origins: tuple[str, ...] = ()) -> dict[str, str]:
    hashes = site_script_hashes(site_dir.resolve())
    if not hashes:
        raise SystemExit(f"{site_dir}: no built site with inline scripts (run `make site`)")
    policy = page_policy(hashes, file_origins=file_origins)
    if len(policy) > CLOUDFRONT_CSP_LIMIT:
        raise SystemExit(f"the policy is {len(policy)} characters, CloudFront takes "
                         f"{CLOUDFRONT_CSP_LIMIT}")
    return security_headers(policy=policy, https=https)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site-dir", type=Path, default=ROOT / "site")
    parser.add_argument("--http", action="store_true", help="leave HSTS out")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--file-origin", action="append", default=[],
                        help="the attachments bucket's origin (repeat): "
                             "https://BUCKET.s3.REGION.amazonaws.com")
    args = parser.parse_args()
    headers = headers_for(args.site_dir, https=not args.http,
                          file_origins=tuple(args.file_origin))
    if args.json:
        print(json.dumps(headers, indent=2))
    else:
        for name, value in headers.items():
            print(f"{name}: {value}")


if __name__ == "__main__":
    main()
