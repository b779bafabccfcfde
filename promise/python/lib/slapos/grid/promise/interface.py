"""The interface every promise class declares with @implementer."""

from zope.interface import Interface


class IPromise(Interface):
  """A promise checks that a service of the partition works."""

  def __init__(config):
    """Configure the promise from the launcher's config dict."""

  def sense():
    """Check the service now and log the outcome."""

  def anomaly():
    """Return an AnomalyResult computed from the logged outcomes."""

  def test():
    """Return a TestResult computed from the logged outcomes."""
