"""code-hygiene: finds the rot a hand-made cleanup of a Python web application would find."""

__version__ = "0.1.0"
