"""A minimal stand-in for zope.interface, used when it is not installed.

It supports what promise modules use: Interface, Attribute, implementer,
implements, classImplements, implementedBy and providedBy.
"""

import sys

__all__ = ['Interface', 'Attribute', 'implementer', 'implements',
           'classImplements', 'implementedBy', 'providedBy']


def _declared(klass):
  for k in getattr(klass, '__mro__', (klass,)):
    for iface in k.__dict__.get('__implemented__', ()):
      yield iface


class InterfaceClass(type):
  """Metaclass of interfaces."""

  def implementedBy(cls, klass):
    return any(isinstance(i, InterfaceClass) and issubclass(i, cls)
               for i in _declared(klass))

  def providedBy(cls, obj):
    return cls.implementedBy(type(obj))


class Interface(object, metaclass=InterfaceClass):
  """Base of interface declarations."""


class Attribute(object):
  """An attribute declared by an interface."""

  def __init__(self, doc=''):
    self.__doc__ = doc


def classImplements(klass, *interfaces):
  klass.__implemented__ = tuple(
    klass.__dict__.get('__implemented__', ())) + interfaces


class implementer(object):
  """Class decorator declaring the interfaces a class implements."""

  def __init__(self, *interfaces):
    self.interfaces = interfaces

  def __call__(self, klass):
    classImplements(klass, *self.interfaces)
    return klass


def implements(*interfaces):
  """Old-style declaration inside a class body."""
  frame_locals = sys._getframe(1).f_locals
  frame_locals['__implemented__'] = tuple(
    frame_locals.get('__implemented__', ())) + interfaces


def implementedBy(klass):
  return tuple(_declared(klass))


def providedBy(obj):
  return implementedBy(type(obj))
