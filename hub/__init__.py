"""``make hub``: a real JupyterHub for a class on this host, and its class board.

``python -m hub`` (hub/__main__.py) runs it in the foreground; ``jupyterhub_config.py`` is
its configuration, ``spawners.py`` how each student gets a JupyterLab on a copy of the
course, ``board/`` the instructor's live class board (a Django Channels app, a hub service).
"""
