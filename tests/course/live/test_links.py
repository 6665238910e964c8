"""course/live/links.py: proxy URLs, Jupyter detection, escaped display."""

from course.live import links


def test_proxy_url_without_hub(monkeypatch):
    monkeypatch.delenv("JUPYTERHUB_SERVICE_PREFIX", raising=False)
    assert links.proxy_url(8123) == "/proxy/8123/"
    assert links.proxy_url(8123, "ws/chat/lobby/") == "/proxy/8123/ws/chat/lobby/"


def test_proxy_url_under_jupyterhub(monkeypatch):
    monkeypatch.setenv("JUPYTERHUB_SERVICE_PREFIX", "/user/ada/")
    assert links.proxy_url(8123) == "/user/ada/proxy/8123/"
    assert links.proxy_url(8123, "/chat/") == "/user/ada/proxy/8123/chat/"


def test_proxy_url_keeps_the_slash_after_the_port(monkeypatch):
    monkeypatch.setenv("JUPYTERHUB_SERVICE_PREFIX", "/user/ada")  # no trailing slash
    assert links.proxy_url(9000) == "/user/ada/proxy/9000/"
    monkeypatch.setenv("JUPYTERHUB_SERVICE_PREFIX", "")  # empty counts as unset
    assert links.proxy_url(9000) == "/proxy/9000/"


def test_not_in_jupyter_under_pytest():
    assert links.in_jupyter() is False


def test_public_hosts_from_jupyterhub_variables(monkeypatch):
    monkeypatch.delenv("JUPYTERHUB_PUBLIC_URL", raising=False)
    monkeypatch.delenv("JUPYTERHUB_HOST", raising=False)
    assert links.public_hosts() == []
    monkeypatch.setenv("JUPYTERHUB_PUBLIC_URL", "https://hub.example.org/")
    monkeypatch.setenv("JUPYTERHUB_HOST", "https://ada.users.example.org")
    assert links.public_hosts() == ["hub.example.org", "ada.users.example.org"]


def test_render_escapes_everything():
    markup, text = links.render("<b>x</b>", "a & b", [("go", 'http://h/"><script>')])
    assert "<script>" not in markup and "<b>x</b>" not in markup
    assert "&lt;b&gt;x&lt;/b&gt;" in markup and "a &amp; b" in markup
    assert 'href="http://h/&quot;&gt;&lt;script&gt;"' in markup
    assert text == '<b>x</b> — a & b\n  go: http://h/"><script>'


def test_allowed_hosts_outside_a_hub_adds_nothing(monkeypatch):
    for name in ("JUPYTERHUB_SERVICE_PREFIX", "JUPYTERHUB_PUBLIC_URL", "JUPYTERHUB_HOST"):
        monkeypatch.delenv(name, raising=False)
    assert links.allowed_hosts() == []


def test_allowed_hosts_on_a_hub_that_names_itself(monkeypatch):
    monkeypatch.setenv("JUPYTERHUB_SERVICE_PREFIX", "/user/ada/")
    monkeypatch.setenv("JUPYTERHUB_PUBLIC_URL", "https://hub.example.org/")
    monkeypatch.delenv("JUPYTERHUB_HOST", raising=False)
    assert links.allowed_hosts() == ["hub.example.org"]


def test_allowed_hosts_on_binder_accepts_the_unknown_hub_host(monkeypatch):
    monkeypatch.setenv("JUPYTERHUB_SERVICE_PREFIX", "/user/ada-abc123/")
    monkeypatch.delenv("JUPYTERHUB_PUBLIC_URL", raising=False)
    monkeypatch.delenv("JUPYTERHUB_HOST", raising=False)
    assert links.allowed_hosts() == ["*"]
