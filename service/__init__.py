"""fakeguard.service: the ways to run fakeguard (CLI, batch scanner, BentoML service).

Nothing here holds model logic: each entry point parses its input, calls
:mod:`fakeguard.detectors`, and renders the result.
"""
