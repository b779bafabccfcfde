#!/usr/bin/env python3
"""Build render cases from the SlapOS corpus templates, for TestRealCases.

  python3 realcases.py [MAX [DIR]]  # writes DIR/<name>/ (default 60, ../realcases)

Each template of $WEBRUNNER_SHARED/corpus/slapos (*.in, *.jinja2, *.jinja,
*.j2, other files holding "{{" or "{%") is
rendered with the corpus reference renderer's environment and a context
built automatically: every undefined name gets a value guessed from the name
and from how the template uses it (attributes read make a dict, a for loop
over it makes a list, ...); a missing dict key is added to the context's
dicts; a template imported by an alias is looked up among the files of the
template's folder or its parents. Each template is tried three times:
with the keys read by .get() left out (the defaults), with them filled in
with strings, and with typed values (int ports, bool flags, sets of IPs). The
last context tried is kept when it ends on another error (that case checks
the exception class); templates whose imports cannot be found are left out.
The cases are spread over the corpus, and render.py --write records
expected.out or expected.error. With REALCASES_FUZZ=N, N more contexts
per template take values of random types (for a differential run, not for
the committed cases).
"""
import json
import os
import random
import re
import shutil
import subprocess
import sys

import jinja2
from jinja2 import nodes

here = os.path.dirname(os.path.abspath(__file__))
shared = os.environ.get('WEBRUNNER_SHARED', os.path.join(here, '..', '..', '..', '..', '..', 'shared'))
corpus = os.path.normpath(os.path.join(shared, 'corpus', 'slapos'))
render_py = os.path.join(shared, 'corpus', 'jinja2', 'render.py')
out_root = os.path.normpath(os.path.join(here, '..', 'realcases'))
sys.path.insert(0, os.path.dirname(render_py))
import render  # noqa: E402  the reference renderer

EXTENSIONS = ['jinja2.ext.do', 'jinja2.ext.loopcontrols']
IMPORTS = {'json_module': 'json', 're_module': 're', 'urlparse': 'six.moves.urllib.parse'}
# Undefined names that SlapOS profiles bind to modules with the recipe's
# "import" option.
MODULES = {'json': 'json', 're': 're', 'os': 'os', 'os_module': 'os', 'hashlib': 'hashlib',
           'itertools': 'itertools', 'functools': 'functools', 'functools_module': 'functools',
           'operator_module': 'operator', 'urllib': 'urllib', 'urllib_module': 'urllib',
           'urllib_parse': 'six.moves.urllib.parse'}
METHODS = {'get', 'items', 'keys', 'values', 'split', 'strip', 'rstrip', 'lstrip', 'replace',
           'startswith', 'endswith', 'lower', 'upper', 'join', 'format', 'update', 'append',
           'setdefault', 'pop', 'encode', 'extend', 'copy', 'splitlines', 'count', 'index',
           'find', 'rsplit', 'partition', 'title', 'capitalize', 'isdigit', 'insert', 'remove'}


def usage(tree, gets=False):
    """Return {name: shape}: shape is a dict of the attributes/keys read
    (each a shape), 'list' for a loop target, or None for a plain value.
    With gets, the keys read by .get(KEY, DEFAULT) are included, with a
    value of the default's type (a flipped bool)."""
    shapes = {}

    def path(node):
        keys = []
        while True:
            if isinstance(node, nodes.Getattr):
                keys.append(node.attr)
                node = node.node
            elif isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const) \
                    and isinstance(node.arg.value, str):
                keys.append(node.arg.value)
                node = node.node
            else:
                break
        if isinstance(node, nodes.Name):
            return node.name, keys[::-1]
        return None, None

    for n in tree.find_all((nodes.Getattr, nodes.Getitem)):
        name, keys = path(n)
        if name is None:
            continue
        d = shapes.setdefault(name, {})
        if not isinstance(d, dict):
            continue
        for k in keys:
            if k in METHODS:
                break
            d = d.setdefault(k, {})
    if gets:
        for c in tree.find_all(nodes.Call):
            if not (isinstance(c.node, nodes.Getattr) and c.node.attr == 'get' and c.args
                    and isinstance(c.args[0], nodes.Const) and isinstance(c.args[0].value, str)):
                continue
            name, keys = path(c.node.node)
            if name is None or any(k in METHODS for k in keys):
                continue
            d = shapes.setdefault(name, {})
            for k in keys:
                if not isinstance(d, dict):
                    break
                d = d.setdefault(k, {})
            if not isinstance(d, dict):
                continue
            key = c.args[0].value
            dflt = c.args[1].value if len(c.args) > 1 and isinstance(c.args[1], nodes.Const) else None
            if isinstance(dflt, bool):
                d.setdefault(key, Leaf(not dflt))
            elif isinstance(dflt, (int, float)):
                d.setdefault(key, Leaf(dflt + 1))
            elif key not in d:
                d[key] = {}
    for f in tree.find_all(nodes.For):
        if isinstance(f.iter, nodes.Name) and f.iter.name not in shapes:
            shapes[f.iter.name] = 'list'
    return shapes


class Leaf:
    """A shape that is a given value."""

    def __init__(self, v):
        self.v = v


TYPED = False  # leaf gives typed values (int ports, bool flags, sets of IPs)
FUZZ = None  # a random.Random: leaf picks a value of any type


def leaf(name):
    n = name.lower()
    if FUZZ is not None:
        return FUZZ.choice([name + '-value', '', '1', 'a b', 0, 3, -1, 2.5, True, False, None,
                            [], ['a', 'b'], [1, 2], {}, {'k': 'v'}, {'__set__': ['10.0.0.1']},
                            {'__tuple__': ['a', 1]}, 'x\ny', "it's", 'é%s$'])
    if n.endswith('_list') or n.endswith('-list'):
        return ['%s-1' % name, '%s-2' % name]
    if TYPED:
        if n in ('ipv4', 'ipv6'):
            return {'__set__': [leaf(n + '-random')]}
        if 'port' in n or any(w in n for w in ('quantity', 'count', 'number', 'size', 'timeout')):
            return 8080 if 'port' in n else 3
        if n.startswith(('enable', 'disable', 'use-', 'use_', 'is-', 'is_')) or n.endswith(('enabled', 'disabled')):
            return True
        if n.endswith(('_dict', '-dict')):
            return {}
    if 'port' in n:
        return '8080'
    if 'ipv6' in n:
        return '2001:db8::1'
    if 'ipv4' in n or n.endswith('ip'):
        return '10.0.0.1'
    if any(w in n for w in ('path', 'dir', 'bin', 'location', 'folder', 'file', 'executable', 'prefix')):
        return '/srv/slapgrid/slappart0/' + name
    if 'url' in n:
        return 'https://[2001:db8::1]:8080/' + name
    return name + '-value'


def value(name, shape):
    if isinstance(shape, Leaf):
        return shape.v
    if shape == 'list':
        return leaf(name + '_list')
    if isinstance(shape, dict) and shape:
        return {k: value(k, s) for k, s in shape.items()}
    if name.endswith('_dict') or name in ('slap_configuration', 'slapparameter_dict'):
        return {}
    return leaf(name)


def add_key(v, key):
    """Add key to every dict of v that lacks it; return whether one did."""
    added = False
    if isinstance(v, dict):
        if key not in v:
            v[key] = leaf(key)
            added = True
        for x in list(v.values()):
            added = add_key(x, key) or added
    return added


def find_import(folder, alias):
    """Return the path of the file an import alias likely names: in the
    template's folder or its parents up to the software/stack folder, else
    anywhere in the corpus (a stack's macro library) or in the jinja2
    corpus cases (caucase.jinja2.library)."""
    norm = alias.replace('_', '-')

    def match(f):
        f = f.replace('_', '-')
        return any(f == a or f.startswith(a + '.') for a in (norm, 'instance-' + norm, 'template-' + norm))

    while True:
        names = sorted(f for f in os.listdir(folder)
                       if os.path.isfile(os.path.join(folder, f)) and match(f))
        if names:
            return os.path.join(folder, names[0])
        if os.path.dirname(os.path.dirname(folder)) == corpus or folder == corpus:
            break
        folder = os.path.dirname(folder)
    for top in (corpus, os.path.join(shared, 'corpus', 'jinja2', 'cases')):
        found = sorted(os.path.join(d, f) for d, _, fs in os.walk(top) for f in fs if match(f))
        if found:
            return found[0]
    return None


def attempt(path, context, import_list, imports):
    """Render a case; return the exception, or None."""
    case_dir = write_case('/tmp/realcase-probe', path, context, import_list, imports)
    try:
        render.render_case(case_dir)
        return None
    except Exception as e:
        return e


def leaves(v):
    """Yield (container, key) for every str, int and list below v."""
    items = v.items() if isinstance(v, dict) else []
    for k, x in list(items):
        if isinstance(x, (str, int, list)) and not isinstance(x, bool):
            yield v, k
        if isinstance(x, dict):
            yield from leaves(x)


def mutations(msg):
    """Return the (from type, to value) changes an error message suggests."""
    if re.search(r"'str( object)?'? (object )?has no attribute|'str' object is not subscriptable", msg):
        return [(str, {})]
    m = re.match(r"invalid literal for int\(\) with base 10: '(.*)'$", msg)
    if m:
        return [(str, '2')]
    if re.search(r"'str' and 'int'|\(not \"int\"\) to str|for -: 'str' and 'str'", msg):
        return [(str, 2)]
    if re.search(r"'list( object)?'? (object )?has no attribute|JSON object must be str.*not list", msg):
        return [(list, 'a\nb')]
    if re.search(r"values to unpack", msg):
        return [(str, 'a b'), (list, [])]
    return []


def mutate(path, context, import_list, imports, msg):
    """Change the first value of the context whose change moves the error
    msg; return whether one did."""
    for typ, to in mutations(msg):
        for container, k in list(leaves(context)):
            old = container[k]
            if type(old) is not typ or old == to:
                continue
            container[k] = to
            e = attempt(path, context, import_list, imports)
            if e is None or str(e) != msg:
                return True
            container[k] = old
    return False


def build(path, gets=False):
    """Return (context, import_list, error) for path, or None: error is
    the exception class name when the last context does not render."""
    with open(path, 'rb') as f:
        source = f.read().decode('utf-8')
    folder = os.path.dirname(path)
    env = jinja2.Environment(extensions=EXTENSIONS)
    shapes = usage(env.parse(source), gets)
    context, import_list, imports = {}, [], dict(IMPORTS)
    for _ in range(150):
        e = attempt(path, context, import_list, imports)
        if e is None:
            return context, import_list, imports, None
        msg = str(e)
        if isinstance(e, jinja2.TemplateNotFound):
            alias = e.name
            f = None
            if not any(a == alias for _, a, _ in import_list) and '/' not in alias:
                f = find_import(folder, alias)
            if f is None:
                return None
            import_list.append(['file', alias, f])
            continue
        if isinstance(e, jinja2.UndefinedError):
            m = re.match(r"'([A-Za-z_][A-Za-z0-9_]*)' is undefined$", msg)
            if m and m.group(1) in MODULES and m.group(1) not in imports:
                imports[m.group(1)] = MODULES[m.group(1)]
                continue
            if m and m.group(1) not in context:
                context[m.group(1)] = value(m.group(1), shapes.get(m.group(1)))
                continue
            m = re.match(r"'dict object' has no attribute '([^']*)'$", msg)
            if m and any(add_key(v, m.group(1)) for v in list(context.values())):
                continue
        if mutate(path, context, import_list, imports, msg):
            continue
        return context, import_list, imports, type(e).__name__
    return None


def write_case(d, path, context, import_list, imports):
    if os.path.isdir(d):
        shutil.rmtree(d)
    os.makedirs(d)
    folder = os.path.dirname(path)
    shutil.copy(path, os.path.join(d, os.path.basename(path)))
    for _, _, f in import_list:
        shutil.copy(os.path.join(folder, f), os.path.join(d, os.path.basename(f)))
    with open(os.path.join(d, 'case.json'), 'w') as f:
        json.dump({'template': os.path.basename(path), 'extensions': EXTENSIONS,
                   'context': context, 'import': imports,
                   'import_list': [[t, a, os.path.basename(f)] for t, a, f in import_list]},
                  f, indent=1, sort_keys=False)
        f.write('\n')
    return d


def main(argv):
    global out_root
    limit = int(argv[0]) if argv else 60
    if len(argv) > 1:
        out_root = os.path.abspath(argv[1])
    paths = []
    for d, _, files in os.walk(corpus):
        for f in files:
            p = os.path.join(d, f)
            with open(p, 'rb') as fp:
                src = fp.read()
            if not f.endswith(('.in', '.jinja2', '.jinja', '.j2')) and b'{{' not in src and b'{%' not in src:
                continue
            # Leave out what depends on the machine (the uid).
            if len(src) <= 20000 and b'getuid' not in src and b'geteuid' not in src:
                paths.append(p)
    paths.sort()
    global TYPED, FUZZ
    fuzz = int(os.environ.get('REALCASES_FUZZ', '0'))
    built = []
    for p in paths:
        variants = [(False, False, None), (True, False, None), (True, True, None)]
        variants += [(True, False, random.Random('%s:%d' % (p, i))) for i in range(fuzz)]
        for gets, TYPED, FUZZ in variants:
            try:
                r = build(p, gets)
            except Exception:
                r = None
            if r is not None and not any(b == (p, r) for b in built[-2:]):
                built.append((p, r))
    sys.stderr.write('%d cases from %d templates, %d of them errors\n' % (
        len(built), len(paths), sum(1 for _, r in built if r[3])))
    # Spread the kept cases over the corpus.
    step = max(1.0, len(built) / float(limit))
    keep = [built[int(i * step)] for i in range(min(limit, len(built)))]
    if os.path.isdir(out_root):
        shutil.rmtree(out_root)
    written = []
    for p, (context, import_list, imports, _) in keep:
        name = re.sub(r'[^A-Za-z0-9.-]+', '-', os.path.relpath(p, corpus))
        n = 1
        while os.path.join(out_root, name) in written:
            n += 1
            name = name.rsplit('~', 1)[0] + '~%d' % n
        written.append(write_case(os.path.join(out_root, name), p, context, import_list, imports))
    subprocess.run([sys.executable, render_py, '--write'] + written, check=True,
                   stdout=subprocess.DEVNULL)
    print('%d cases written under %s' % (len(written), out_root))


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
