"""`python -m nnviz.build JOB`: the worker process of a build (see nnviz.build.worker)."""
import sys

from .worker import _worker_main

sys.exit(_worker_main(sys.argv[1:]))
