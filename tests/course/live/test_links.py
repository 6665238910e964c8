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
    for name in links.HUB_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    assert links.public_hosts() == []
    monkeypatch.setenv("JUPYTERHUB_PUBLIC_URL", "https://hub.example.org/user/ada/")
    monkeypatch.setenv("JUPYTERHUB_PUBLIC_HUB_URL", "https://hub.example.org/hub/")
    monkeypatch.setenv("JUPYTERHUB_HOST", "https://ada.users.example.org")
    assert links.public_hosts() == ["hub.example.org", "ada.users.example.org"]


def test_render_escapes_everything():
    markup, text = links.render("<b>x</b>", "a & b", [("go", 'http://h/"><script>')])
    assert "<script>" not in markup and "<b>x</b>" not in markup
    assert "&lt;b&gt;x&lt;/b&gt;" in markup and "a &amp; b" in markup
    assert 'href="http://h/&quot;&gt;&lt;script&gt;"' in markup
    assert text == '<b>x</b> — a & b\n  go: http://h/"><script>'


def test_allowed_hosts_outside_a_hub_adds_nothing(monkeypatch):
    for name in ("JUPYTERHUB_SERVICE_PREFIX", *links.HUB_VARIABLES):
        monkeypatch.delenv(name, raising=False)
    assert links.allowed_hosts() == []


def test_allowed_hosts_on_a_hub_that_names_itself(monkeypatch):
    monkeypatch.setenv("JUPYTERHUB_SERVICE_PREFIX", "/user/ada/")
    monkeypatch.setenv("JUPYTERHUB_PUBLIC_URL", "https://hub.example.org/")
    monkeypatch.delenv("JUPYTERHUB_HOST", raising=False)
    assert links.allowed_hosts() == ["hub.example.org"]


def test_allowed_hosts_on_binder_is_the_member_it_runs_on(monkeypatch):
    # mybinder.org's members set public_url: JupyterHub exports it to every user server.
    monkeypatch.setenv("JUPYTERHUB_SERVICE_PREFIX", "/user/ada-abc123/")
    monkeypatch.setenv("JUPYTERHUB_PUBLIC_URL", "https://hub.2i2c.mybinder.org/user/ada-abc123/")
    monkeypatch.delenv("JUPYTERHUB_HOST", raising=False)
    assert links.allowed_hosts() == ["hub.2i2c.mybinder.org"]


def test_a_hub_that_names_no_address_accepts_any_host_and_says_so_once(monkeypatch, capsys):
    monkeypatch.setenv("JUPYTERHUB_SERVICE_PREFIX", "/user/ada-abc123/")
    for name in links.HUB_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(links, "_warned", [])
    assert links.allowed_hosts() == links.allowed_hosts() == ["*"]
    said = capsys.readouterr().err
    assert said.count("c.JupyterHub.public_url") == 1 and "DEMO_ALLOWED_HOSTS" in said
