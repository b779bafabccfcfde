# Namespace package, so that a real zope distribution wins when installed.
try:
  __path__ = __import__('pkgutil').extend_path(__path__, __name__)
except Exception:
  pass
