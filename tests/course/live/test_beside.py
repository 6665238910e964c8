"""course.side_by_side: windows on a running server's pages, escaped, one per person."""

import pytest

from course.live.beside import SideBySide, Window, side_by_side
from course.live.servers import Server, serve
from tests.course.helpers import ECHO_APP


def test_windows_are_escaped_in_html_and_listed_in_text() -> None:
    hostile = '"><script>alert(1)</script>'
    shown = SideBySide([Window(hostile, "/proxy/1/chat/x/?a=1&b=2")], height=200)
    markup = shown._repr_html_()
    # The output's one script is the toolkit's own; the title's never becomes markup.
    assert "alert(1)</script>" not in markup and markup.count("<script") == 1
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in markup
    assert 'data-src="/proxy/1/chat/x/?a=1&amp;b=2"' in markup
    assert "<iframe" not in markup, "no bare iframe: the script opens it once the server answers"
    assert "is not running" in markup, "the static words a reopened, untrusted output shows"
    assert "height:200px" in markup
    assert repr(shown) == f"{hostile}: /proxy/1/chat/x/?a=1&b=2"


def test_no_server_or_a_stopped_one_is_refused_with_a_hint() -> None:
    with pytest.raises(TypeError, match="at least one server"):
        side_by_side()
    with pytest.raises(RuntimeError, match=r"not running: 'never-started'.*serve\(\)"):
        side_by_side(Server(ECHO_APP, name="never-started"), path="chat/x/")


@pytest.mark.slow
def test_people_take_the_servers_in_turn() -> None:
    with serve(ECHO_APP, name="beside-a") as a, serve(ECHO_APP, name="beside-b") as b:
        shown = side_by_side(a, b, path="/chat/room/", people=3, titles=["Ada"])
        # Outside Jupyter the windows hold the direct URLs.
        assert [w.src for w in shown.windows] == [
            f"{a.url}chat/room/",
            f"{b.url}chat/room/",
            f"{a.url}chat/room/",
        ]
        assert [w.title for w in shown.windows] == [
            "Ada",
            "Person 2 · server 'beside-b'",
            "Person 3 · server 'beside-a'",
        ]
        assert len(side_by_side(a).windows) == 2  # two people by default, even on one server
