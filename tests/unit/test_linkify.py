"""Links in message text: escaped first, then http(s) URLs linked, nothing else."""

from loket.web.linkify import linkify


def test_urls_become_links_that_pass_no_trust_on():
    html = linkify("See https://example.com/export?a=1&b=2.")
    assert html == ('See <a href="https://example.com/export?a=1&amp;b=2" '
                    'rel="nofollow noopener">https://example.com/export?a=1&amp;b=2</a>.')


def test_markup_in_the_text_stays_text():
    html = linkify('<b>hi</b> <a href="javascript:alert(1)">x</a>')
    assert "<b>" not in html and "<a " not in html
    assert "&lt;b&gt;hi&lt;/b&gt;" in html


def test_a_quote_or_angle_bracket_ends_the_url():
    html = linkify('https://e.com/"onmouseover=alert(1) <https://f.com/x>')
    assert 'href="https://e.com/"' in html and "onmouseover=alert(1)" not in html.split('"')[1]
    assert 'href="https://f.com/x"' in html


def test_only_http_and_https_are_linked():
    assert "<a" not in linkify("javascript:alert(1) ftp://x.org/ mailto:a@b.nl")


def test_a_url_in_parentheses_keeps_its_own_closing_one():
    assert 'href="https://en.wikipedia.org/wiki/Tea_(drink)"' in linkify(
        "(see https://en.wikipedia.org/wiki/Tea_(drink))")
    assert 'href="https://e.com/a"' in linkify("(see https://e.com/a)")
