# SPDX-License-Identifier: Apache-2.0
"""TAP for the Python CLI tests (tests/*/*.py): the source root, the cocotrust binary, ok / skip,
the plan, and running cocotrust for its JSON. A test imports it from its own directory:

    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'lib'))
    import tap  # noqa: E402
    from tap import ROOT, CT, ok  # noqa: E402
    ...
    sys.exit(tap.done())   # prints 1..N, exit 1 when any case failed

Every `ok` prints "ok N - name" or "not ok N - name" and, for a failure, the diagnostic text as
"#   " lines (at most max_diag of them, when set)."""
import json
import os
import subprocess

ROOT = os.environ.get('CT_SOURCE_ROOT', os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..'))
CT = os.environ.get('COCOTRUST', '')


class _State:
    n = 0            # cases so far
    fails = 0        # of them failed
    max_diag = None  # diagnostic lines printed per failure (None: all)


state = _State()


def ok(cond, name, diag=''):
    state.n += 1
    print(f'{"ok" if cond else "not ok"} {state.n} - {name}', flush=True)
    if not cond:
        state.fails += 1
        lines = str(diag).splitlines()
        for line in lines if state.max_diag is None else lines[:state.max_diag]:
            print(f'#   {line}', flush=True)


def skip(name, why):
    """One case that could not run: "ok N - name # SKIP why"."""
    state.n += 1
    print(f'ok {state.n} - {name} # SKIP {why}', flush=True)


def ct_json(*args, inp=None):
    """Run cocotrust ARGS (text, stdin inp): the CompletedProcess and, when --json is among the
    arguments, its stdout parsed (None when empty or not JSON)."""
    p = subprocess.run([CT] + list(args), capture_output=True, text=True, input=inp)
    try:
        j = json.loads(p.stdout) if '--json' in args and p.stdout else None
    except json.JSONDecodeError:
        j = None
    return p, j


def failed_checks(j):
    """The sorted names of the checks with status "fail" in a verify result (None without one)."""
    return sorted(c['name'] for c in j['checks'] if c['status'] == 'fail') if j else None


def done():
    """Print the plan; the exit status: 1 when any case failed, else 0."""
    print(f'1..{state.n}', flush=True)
    return 1 if state.fails else 0
