"""Everything that imports manim: reusable mobjects for nnviz scenes."""
