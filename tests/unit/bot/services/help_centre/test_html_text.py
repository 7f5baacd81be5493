"""An imported article's HTML as the text a customer is quoted: structure kept, nothing
that runs or only decorates."""

from __future__ import annotations

from bot.services.help_centre.html_text import html_to_text


def test_headings_lists_and_paragraphs_become_markdown() -> None:
    html = (
        "<h1>Set up</h1><p>First   paragraph,\n  on two lines.</p>"
        "<h3>Steps</h3><ol><li>Open it.</li><li><p>Save it.</p></li></ol>"
        "<ul><li>one<ul><li>inner</li></ul></li><li>two</li></ul><p>The end.</p>"
    )
    assert html_to_text(html) == (
        "## Set up\n\nFirst paragraph, on two lines.\n\n## Steps\n\n"
        "1. Open it.\n2. Save it.\n\n- one\n  - inner\n- two\n\nThe end."
    )


def test_links_keep_their_text_and_never_their_address() -> None:
    text = html_to_text(
        '<p>Read <a href="https://example.com/a">the guide</a> or '
        '<a href="javascript:alert(document.cookie)">click here</a>.</p>'
    )
    assert text == "Read the guide or click here."


def test_entities_are_decoded_and_spaces_normalised() -> None:
    text = html_to_text("<p>Caf&eacute;&nbsp;&amp;&#160;th&#xE9; &lt;b&gt; &rarr; ok</p>")
    assert text == "Café & thé <b> → ok"


def test_scripts_styles_frames_media_and_comments_are_dropped() -> None:
    html = (
        "<p>Visible.</p><script>alert('x')</script><style>p{color:red}</style>"
        '<iframe src="https://evil.example"></iframe><img src=x onerror="alert(1)">'
        "<noscript>enable js</noscript><!-- internal note --><svg><text>svg</text></svg>"
        '<form action="/steal"><input value="secret"><button>Send</button></form>'
    )
    assert html_to_text(html) == "Visible."


def test_tables_keep_their_cells_on_one_line_per_row() -> None:
    html = "<table><tr><th>Plan</th><th>Seats</th></tr><tr><td>Pro</td><td>5</td></tr></table>"
    assert html_to_text(html) == "Plan | Seats\n\nPro | 5"


def test_a_body_nested_thousands_of_tags_deep_is_read() -> None:
    depth = 20_000
    assert html_to_text("<div>" * depth + "deep" + "</div>" * depth) == "deep"


def test_an_empty_or_text_free_body_gives_no_text() -> None:
    assert html_to_text("") == ""
    assert html_to_text("<p> </p><script>x()</script><img src=a>") == ""
