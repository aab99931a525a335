"""nnviz: train small networks in NumPy, record everything, animate how they learn.

The NumPy core (this package minus `nnviz.render` and `nnviz.figures`) never
imports manim or matplotlib, so it is quick to import in notebooks and tests.
"""
__version__ = "0.1.0"
