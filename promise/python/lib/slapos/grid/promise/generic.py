"""GenericPromise and result classes, compatible with slapos.grid.promise.generic.

Written for Webrunner from the documented behaviour of SlapOS promises:
log format, log evaluation (_test/_anomaly) and results.
"""

import io
import logging
import os
import random
import re
import time
from abc import ABCMeta, abstractmethod
from datetime import datetime, timedelta

PROMISE_STATE_FOLDER_NAME = '.slapgrid/promise'
PROMISE_RESULT_FOLDER_NAME = '.slapgrid/promise/result'
PROMISE_LOG_FOLDER_NAME = '.slapgrid/promise/log'
PROMISE_PARAMETER_NAME = 'extra_config_dict'

LOGLINE_RE = r"(\d{4}-\d{2}-\d{2}\s+\d{2}:\d{2}:\d{2})\s+\-?\s*(\w+)\s+\-?\s+(\d+\-\d{3})\s+\-?\s*(.*)"
_match_line = re.compile(LOGLINE_RE.encode()).match
_DATE_FORMAT = '%Y-%m-%d %H:%M:%S'
_ERROR_LEVELS = ('ERROR', 'CRITICAL')
_MAX_MESSAGE = 5000


class BaseResult(object):
  """The outcome of a promise check."""

  def __init__(self, problem=False, message=None, date=None):
    self.__problem = problem
    if message is not None and len(message) > _MAX_MESSAGE:
      message = '...' + message[-_MAX_MESSAGE:]
    self.__message = message
    self.__date = date if date is not None else datetime.utcnow()

  def hasFailed(self):
    return self.__problem

  @staticmethod
  def type():
    return "Base Result"

  @property
  def message(self):
    return self.__message

  @property
  def date(self):
    return self.__date


class TestResult(BaseResult):

  @staticmethod
  def type():
    return "Test Result"


class AnomalyResult(BaseResult):

  @staticmethod
  def type():
    return "Anomaly Result"


class EmptyResult(BaseResult):

  def __init__(self):
    BaseResult.__init__(self, False, None, None)

  @staticmethod
  def type():
    return "Empty Result"


class PromiseQueueResult(object):
  """A result with the promise it belongs to, as sent to the launcher."""

  def __init__(self, path=None, name=None, title=None, item=None,
               execution_time=0):
    self.path = path
    self.name = name
    self.title = title
    self.item = item if item is not None else EmptyResult()
    self.execution_time = execution_time

  def serialize(self):
    return {
      'title': self.title,
      'name': self.name,
      'path': self.path,
      'execution-time': self.execution_time,
      'result': {
        'type': self.item.type(),
        'failed': self.item.hasFailed(),
        'date': self.item.date.strftime('%Y-%m-%dT%H:%M:%S+0000'),
        'message': self.item.message,
      },
    }


def _read_lines_backward(path, block=65536):
  """Yield the non-empty lines of a file (bytes), last line first."""
  with open(path, 'rb') as f:
    f.seek(0, 2)
    offset = f.tell()
    rest = b''
    while offset > 0:
      size = min(block, offset)
      offset -= size
      f.seek(offset)
      data = f.read(size) + rest
      lines = data.split(b'\n')
      rest = lines.pop(0)
      for line in reversed(lines):
        if line:
          yield line
    if rest:
      yield rest


class GenericPromise(object, metaclass=ABCMeta):
  """Base class of promises: configuration, logging and evaluation."""

  def __init__(self, config):
    self.__config = config
    self.__log_folder = config.pop('log-folder', None)
    self.__partition_folder = config.pop('partition-folder', None)
    self.__debug = config.pop('debug', True)
    self.__name = config.pop('name', None)
    self.__promise_path = config.pop('path', None)
    self.__queue = config.pop('queue', None)
    self.__log_buffer = None
    self.__log_file = None
    self.setPeriodicity(config.pop('periodicity', 2))
    bang = str(config.pop('bang-on-failure', 'true')).lower()
    if bang not in ('true', 'false'):
      raise ValueError("bang-on-failure must be 'true' or 'false', not %r" % bang)
    self.__allow_bang = bang == 'true'
    self.__transaction_id = '%s-%s' % (int(time.time()),
                                       random.randint(100, 999))
    self.__is_tested = True
    self.__is_anomaly_detected = True
    self.__validate()
    self.__configure_logger()

  def __validate(self):
    if self.__queue is None:
      raise ValueError("Queue object is not set in configuration")
    if self.__name is None:
      raise ValueError("Monitor name is not set in configuration")
    self.__title = os.path.splitext(self.__name)[0]
    if self.__promise_path is None:
      raise ValueError("Promise path is not set in configuration")
    if self.__partition_folder is None:
      raise ValueError("Monitor partition folder is not set in configuration")

  def __configure_logger(self):
    self.logger = logging.getLogger(self.__name)
    for handler in list(self.logger.handlers):
      self.logger.removeHandler(handler)
    if self.__log_folder is None:
      self.__log_buffer = io.StringIO()
      handler = logging.StreamHandler(self.__log_buffer)
    else:
      if not os.path.isdir(self.__log_folder):
        os.makedirs(self.__log_folder)
      self.__log_file = os.path.join(self.__log_folder, '%s.log' % self.__title)
      handler = logging.FileHandler(self.__log_file)
    handler.setFormatter(logging.Formatter(
      "%(asctime)s - %(levelname)s - " + self.__transaction_id
      + " - %(message)s", datefmt=_DATE_FORMAT))
    self.logger.addHandler(handler)
    self.logger.setLevel(logging.DEBUG if self.__debug else logging.INFO)

  def getConfig(self, key, default=None):
    return self.__config.get(key, default)

  def setConfig(self, key, value):
    self.__config[key] = value

  def getTitle(self):
    return self.__title

  def getName(self):
    return self.__name

  def getPromiseFile(self):
    return self.__promise_path

  def getPartitionFolder(self):
    return self.__partition_folder

  def getLogFile(self):
    return self.__log_file

  def getLogFolder(self):
    return self.__log_folder

  def setPeriodicity(self, minute):
    if minute <= 0:
      raise ValueError("Cannot set promise periodicity to a value less than 1")
    self.__periodicity = minute

  def getPeriodicity(self):
    return self.__periodicity

  def setTestLess(self):
    self.__is_tested = False

  def isTested(self):
    return self.__is_tested

  def setAnomalyLess(self):
    self.__is_anomaly_detected = False

  def isAnomalyDetected(self):
    return self.__is_anomaly_detected

  def allowBang(self, allow=True):
    self.__allow_bang = bool(allow)

  def __bang(self, message):
    bang = getattr(self.__queue, 'bang', None)
    if bang is not None:
      bang(message)

  def __parse_buffer(self, only_failure):
    records, part = [], ''
    for line in self.__log_buffer.getvalue().split('\n'):
      if not line:
        continue
      m = _match_line(line.encode())
      if m is None:
        part += '\n' + line
        continue
      date, level, _, msg = (g.decode() for g in m.groups())
      if not only_failure or level == 'ERROR':
        records.append({'date': datetime.strptime(date, _DATE_FORMAT),
                        'status': level, 'message': (msg + part).strip()})
      part = ''
    return [records]

  def getLastPromiseResultList(self, latest_minute=0, result_count=1,
                               only_failure=False):
    """Return the log records of the latest runs, most recent run first.

    Each run is a list of {"date", "status", "message"} in chronological
    order; at most result_count runs, none older than latest_minute
    minutes when latest_minute > 0.
    """
    if self.__log_file is None:
      if self.__log_buffer is not None:
        return self.__parse_buffer(only_failure)
      return []
    if not os.path.exists(self.__log_file):
      return []
    max_date = ''
    if latest_minute > 0:
      max_date = (datetime.now() - timedelta(minutes=latest_minute)
                 ).strftime(_DATE_FORMAT)
    runs, run, tid, count, part = [], [], None, 0, ''
    for line in _read_lines_backward(self.__log_file):
      m = _match_line(line)
      if m is None:
        part = '\n' + line.decode('utf-8', 'replace') + part
        continue
      date, level, line_tid, msg = (
        g.decode('utf-8', 'replace') for g in m.groups())
      if max_date and date <= max_date:
        break
      if line_tid != tid:
        if tid is not None:
          runs.append(run)
          run = []
        count += 1
        if count > result_count:
          break
        tid = line_tid
      if not only_failure or level == 'ERROR':
        run.insert(0, {'date': datetime.strptime(date, _DATE_FORMAT),
                       'status': level, 'message': (msg + part).strip()})
      part = ''
    if run:
      runs.append(run)
    return runs

  def __check(self, result_count, failure_amount, latest_minute, cls):
    runs = self.getLastPromiseResultList(latest_minute=latest_minute,
                                         result_count=result_count)
    if not runs:
      return cls(problem=False, message="No result found!")
    failed = any(r['status'] in _ERROR_LEVELS for r in runs[0])
    message = '\n'.join(r['message'] for r in runs[0]).strip()
    if not failed:
      return cls(problem=False, message=message)
    found = 1
    for run in runs[1:]:
      if found >= failure_amount:
        break
      if any(r['status'] in _ERROR_LEVELS for r in run):
        found += 1
    return cls(problem=found == failure_amount, message=message)

  def _test(self, result_count=1, failure_amount=1, latest_minute=0):
    return self.__check(result_count, failure_amount, latest_minute,
                        TestResult)

  def _anomaly(self, result_count=1, failure_amount=1, latest_minute=0):
    return self.__check(result_count, failure_amount, latest_minute,
                        AnomalyResult)

  @abstractmethod
  def sense(self):
    """Check the service and log the outcome."""

  def anomaly(self):
    return self._anomaly()

  def test(self):
    return self._test()

  def __send(self, item):
    self.__queue.put_nowait(PromiseQueueResult(
      path=self.__promise_path, name=self.__name, title=self.__title,
      item=item))

  def run(self, check_anomaly=False, can_bang=True):
    """Sense, then evaluate test or anomaly and send the result."""
    result_class = AnomalyResult if check_anomaly else TestResult
    if not self.__is_tested and not self.__is_anomaly_detected:
      self.__send(result_class(
        problem=True,
        message="It's not allowed to disable both Test and Anomaly in promise!"))
      return
    if (check_anomaly and not self.__is_anomaly_detected) or \
        (not check_anomaly and not self.__is_tested):
      self.__send(EmptyResult())
      return
    try:
      self.sense()
    except Exception as e:
      self.logger.error(str(e))
    method = 'anomaly' if check_anomaly else 'test'
    try:
      result = getattr(self, method)()
      if result is None:
        raise ValueError("Promise %s method returned 'None'" % method)
    except Exception as e:
      result = result_class(problem=True, message=str(e))
    if isinstance(result, AnomalyResult) and result.hasFailed() and \
        can_bang and self.__allow_bang:
      self.__bang("Promise %s is failing" % self.__title)
    self.__send(result)
