"""Run one plugin promise for Webrunner's Go promise launcher.

The launcher writes a JSON request on stdin: the promise config, the file
to write the result to, the cache file, the cache timestamp and the mode.
The promise module is imported from its plugin folder, instantiated and
run as slapgrid's PromiseProcess does; its result is written as JSON.
"""

import importlib
import inspect
import json
import os
import re
import sys
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(1, os.path.join(HERE, 'lib'))
sys.path.append(os.path.join(HERE, 'fallback'))


class ResultQueue(object):
  """Receives the promise result (multiprocessing.Queue in slapgrid)."""

  def __init__(self, path):
    self.path = path
    self.banged = False
    self.item = None

  def bang(self, message):
    self.banged = True

  def put_nowait(self, item):
    self.item = item

  def put(self, item, *args, **kw):
    self.item = item

  def write(self, transaction_id):
    item = self.item
    if item is None:
      return
    data = item.serialize()['result']
    data['empty'] = item.item.type() == 'Empty Result'
    data['bang'] = self.banged
    data['transaction_id'] = transaction_id
    tmp = self.path + '.tmp'
    with open(tmp, 'w') as f:
      json.dump(data, f)
    os.rename(tmp, self.path)


def write_cache(path, timestamp, promise_class, promise, started):
  module_file = '%s.py' % os.path.splitext(inspect.getfile(promise_class))[0]
  periodicity = promise.getPeriodicity()
  cache = dict(
    is_tested=not hasattr(promise, 'isTested') or promise.isTested(),
    is_anomaly_detected=not hasattr(promise, 'isAnomalyDetected')
    or promise.isAnomalyDetected(),
    periodicity=periodicity,
    next_run_after=timestamp + periodicity * 60.0 if started else timestamp,
    timestamp=timestamp,
    module_file=module_file,
    module_file_mtime=os.stat(module_file).st_mtime,
  )
  with open(path, 'w') as f:
    f.write(json.dumps(cache))


def load(path, name, config):
  folder = os.path.dirname(path)
  init_file = os.path.join(folder, '__init__.py')
  if not os.path.exists(init_file):
    with open(init_file, 'w'):
      pass
    os.chmod(init_file, 0o644)
  if sys.path[0] != folder:
    sys.path[0:0] = [folder]
  if re.match(r'[a-zA-Z_]', name) is None:
    raise ValueError("Promise plugin name %r is not valid" % name)
  module = importlib.import_module(os.path.splitext(name)[0])
  if not hasattr(module, 'RunPromise'):
    raise AttributeError("Class RunPromise not found in promise %s" % name)
  # Import after the module: generated plugin files reload slapos.*.
  from slapos.grid.promise import interface
  from slapos.grid.promise.generic import GenericPromise
  if not interface.IPromise.implementedBy(module.RunPromise):
    sys.stderr.write(
      "warning: RunPromise class in %s does not declare "
      "@implementer(interface.IPromise)\n" % name)
  if not issubclass(module.RunPromise, GenericPromise):
    raise RuntimeError(
      "RunPromise class is not a subclass of GenericPromise class.")
  extra = getattr(module, 'extra_config_dict', None)
  if extra is not None:
    if not isinstance(extra, dict):
      raise ValueError("Extra parameter is not a dict")
    for key in extra:
      if key in config:
        raise ValueError("Extra parameter name %r cannot be used.\n%s"
                         % (key, extra))
      config[key] = extra[key]
  return module.RunPromise


def main():
  request = json.load(sys.stdin)
  config = request['config']
  check_anomaly = request['check_anomaly']
  os.chdir(config['partition-folder'])
  promise_class = load(config['path'], config['name'], config)
  queue = ResultQueue(request['result_file'])
  config['queue'] = queue
  promise = promise_class(config)
  started = (not hasattr(promise, 'isAnomalyDetected')
             or not hasattr(promise, 'isTested')
             or (promise.isAnomalyDetected() and check_anomaly)
             or (promise.isTested() and not check_anomaly))
  write_cache(request['cache_file'], request['timestamp'], promise_class,
              promise, started)
  promise.run(check_anomaly, request['can_bang'])
  queue.write(getattr(promise, '_GenericPromise__transaction_id', ''))


if __name__ == '__main__':
  try:
    main()
  except Exception:
    traceback.print_exc()
    sys.exit(1)
