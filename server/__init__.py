"""Backprop Lab's server: FastAPI drives the engine and streams what happens over WebSockets."""

import os

# One BLAS thread, set before NumPy loads (so in `backprop-lab`, `python -m server` and bench/server.py; a
# process that imported NumPy first keeps its own setting). The server's matrices are small and two things
# already share the cores (training, and surfaces in a thread): OpenBLAS's extra workers only spin. Measured
# on 2 cores under load: the SVD behind the trajectory plane (2,000 × 49) took 580 ms of CPU with OpenBLAS's
# threads against 8 ms with one, and that spinning is what made the trajectory plane cost a third of training.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from .app import create_app  # noqa: E402
from .settings import Settings  # noqa: E402

__all__ = ["Settings", "create_app"]
