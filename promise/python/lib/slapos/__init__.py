# Webrunner's stand-in for the "slapos" namespace package. Other
# distributions found on sys.path (slapos.toolbox eggs…) may add modules.
try:
  __path__ = __import__('pkgutil').extend_path(__path__, __name__)
except Exception:
  pass
