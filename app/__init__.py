"""backprop-viz: backpropagation, step by step."""

__version__ = "0.1.0"
