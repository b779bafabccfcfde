"""Webrunner's compatibility subset of slapos.grid.promise.

Promise modules import ``interface`` and ``generic`` from here; the
launcher itself is implemented in Go by Webrunner.
"""


class PromiseError(Exception):
  """A promise failed."""
