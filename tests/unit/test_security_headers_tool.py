"""tools/security_headers.py gives CloudFront the headers Flask sends, with the hashes of
the built site's inline scripts."""

from __future__ import annotations

import importlib.util

import pytest

from loket.web import headers
from tests.paths import ROOT


def load_tool():
    path = ROOT / "tools" / "security_headers.py"
    spec = importlib.util.spec_from_file_location("loket_security_headers_tool", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


tool = load_tool()


def test_the_site_s_inline_scripts_are_in_the_policy(tmp_path):
    (tmp_path / "kb").mkdir()
    (tmp_path / "index.html").write_text("<script>a()</script>")
    (tmp_path / "kb" / "index.html").write_text("<script>b()</script><script src=x.js></script>")
    found = tool.headers_for(tmp_path, file_origins=("https://files.example",))
    policy = found["Content-Security-Policy"]
    for source in ("a()", "b()"):
        assert f"'{headers.script_hash(source)}'" in policy
    assert "https://files.example" in policy and "frame-ancestors 'none'" in policy
    assert found["Strict-Transport-Security"] == headers.STRICT_TRANSPORT_SECURITY
    assert "Strict-Transport-Security" not in tool.headers_for(tmp_path, https=False)


def test_without_a_built_site_it_says_so(tmp_path):
    with pytest.raises(SystemExit, match="make site"):
        tool.headers_for(tmp_path / "nothing")
