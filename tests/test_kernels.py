"""The kernels the tests start (nbmake's, the lesson runs', the wrong answers') use ipc."""

import nbformat

from course.authoring import nbrun
from tests.kernels import IpcNotebookClient

PROBE = "from ipykernel.kernelapp import IPKernelApp\nprint(IPKernelApp.instance().transport)"


def test_a_notebook_kernel_talks_over_unix_sockets(tmp_path) -> None:
    import nbmake.nb_run

    assert nbmake.nb_run.NotebookClient is IpcNotebookClient is nbrun.NotebookClient
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(PROBE)])
    IpcNotebookClient(nb, timeout=60, kernel_name="python3").execute()
    assert nb.cells[0].outputs[0]["text"].strip() == "ipc"
