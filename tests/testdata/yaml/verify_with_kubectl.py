#!/usr/bin/env python3
"""Checks the expectations of tests/core/test_yaml.cpp's decoding table against a real kubectl.

Usage: tests/testdata/yaml/verify_with_kubectl.py [path/to/kubectl]   (default: tools/bin/kubectl)

Each case whose source is kKubectl or kKubectlNumeric is prefixed with apiVersion/kind/metadata, decoded offline
by `kubectl annotate --local -f case.yaml x=y -o json`, and compared with the table's JSON (those three keys
dropped). kKubectlNumeric cases compare numbers as float64, since kubectl prints every number through float64.
"""
import json
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
KUBECTL = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "tools", "bin", "kubectl")
HEADER = "apiVersion: v1\nkind: X\nmetadata:\n  name: x\n"
CASE = re.compile(r'\{"([^"]*)",\s*(R"y\((.*?)\)y"|"((?:[^"\\]|\\.)*)"),\s*R"j\((.*?)\)j",\s*(\w+)\}', re.S)


def decode_with_kubectl(text):
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", newline="", delete=False) as f:
        f.write(text)
    try:
        run = subprocess.run([KUBECTL, "annotate", "--local", "-f", f.name, "x=y", "-o", "json"],
                             capture_output=True, text=True, check=False)
    finally:
        os.unlink(f.name)
    if run.returncode != 0:
        raise RuntimeError(run.stderr.strip())
    value = json.loads(run.stdout)
    for key in ("apiVersion", "kind", "metadata"):
        value.pop(key)
    return value


def main():
    source = open(os.path.join(ROOT, "tests", "core", "test_yaml.cpp"), encoding="utf-8").read()
    checked = failed = 0
    for m in CASE.finditer(source):
        name, raw, escaped, expected, origin = m.group(1), m.group(3), m.group(4), m.group(5), m.group(6)
        if origin not in ("kKubectl", "kKubectlNumeric"):
            continue
        text = raw if raw is not None else escaped.encode().decode("unicode_escape")
        text = text[4:] if text.startswith("---\n") else text
        header = HEADER.replace("\n", "\r\n") if "\r\n" in text else HEADER
        checked += 1
        try:
            actual = decode_with_kubectl(header + text)
        except RuntimeError as e:
            failed += 1
            print(f"ERROR {name}: {e}")
            continue
        want = json.loads(expected)
        if origin == "kKubectlNumeric":
            same = json.loads(json.dumps(actual), parse_int=float) == json.loads(json.dumps(want), parse_int=float)
        else:
            same = json.dumps(actual, sort_keys=True) == json.dumps(want, sort_keys=True)
        if not same:
            failed += 1
            print(f"MISMATCH {name}\n  kubectl: {json.dumps(actual, sort_keys=True)}\n  table:   {json.dumps(want, sort_keys=True)}")
    print(f"{checked} cases checked against kubectl, {failed} differ")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
