"""Executes notebooks top to bottom with nbclient and fails on the first error.

Usage: python run.py NOTEBOOK.ipynb ...  (the notebooks are not rewritten: they stay
saved without outputs)."""
import sys
import time

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

for path in sys.argv[1:]:
    notebook = nbformat.read(path, as_version=4)
    started = time.perf_counter()
    try:
        NotebookClient(notebook, timeout=600, kernel_name="python3").execute()
    except CellExecutionError as error:
        print(f"{path}: a cell failed\n{error}", file=sys.stderr)
        sys.exit(1)
    print(f"{path}: ran every cell in {time.perf_counter() - started:.1f} s")
