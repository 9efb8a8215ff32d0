"""The numpy engine: networks, forward and backward passes, training, gradient checks, data.

Imports only numpy and the standard library, never anything from the web layer.
"""
