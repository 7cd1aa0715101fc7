"""Reads one section of params.yaml for the churn pipeline stages.

Uses PyYAML when it is installed (Debian: python3-yaml). Without it, a small reader accepts the
layout params.yaml uses: top-level sections holding `key: scalar` lines, `#` comments, scalars
true/false, integers, floats and plain or quoted strings. Blocks nested deeper than a section's
own keys (the `train:` section's `data:` and `model:`, read by `leanops train`, not by Python)
are skipped: their key reads as None. Anything else is an error that asks for PyYAML.
"""
import re
import sys

try:
    import yaml
except ImportError:  # pragma: no cover - depends on the machine
    yaml = None


def _scalar(text):
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    low = text.lower()
    if low in ("true", "false"):
        return low == "true"
    if low in ("null", "~", ""):
        return None
    for conv in (int, float):
        try:
            return conv(text)
        except ValueError:
            pass
    return text


def _parse_simple(text, path):
    data, section, key_indent = {}, None, None
    for lineno, line in enumerate(text.splitlines(), 1):
        stripped = re.sub(r"(^|\s)#.*$", "", line).rstrip()
        if not stripped.strip():
            continue
        indent = len(stripped) - len(stripped.lstrip(" "))
        if section is not None and key_indent is not None and indent > key_indent:
            continue  # inside a nested block of the section: not read without PyYAML
        m = re.fullmatch(r"( *)([A-Za-z0-9_.-]+):(?:\s+(.*))?", stripped)
        if not m:
            sys.exit("%s:%d: cannot read this line without PyYAML (apt install python3-yaml)"
                     % (path, lineno))
        _, key, value = m.groups()
        if not indent:
            section, key_indent = None, None
            if value is None:
                section = data[key] = {}
            else:
                data[key] = _scalar(value)
        elif section is not None:
            key_indent = indent if key_indent is None else key_indent
            if indent != key_indent:
                sys.exit("%s:%d: unexpected indentation" % (path, lineno))
            section[key] = _scalar(value or "")
        else:
            sys.exit("%s:%d: nested value outside a section" % (path, lineno))
    return data


def load(section, path="params.yaml"):
    """The mapping under `section` in params.yaml (in the working directory)."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    data = yaml.safe_load(text) if yaml is not None else _parse_simple(text, path)
    if not isinstance(data, dict) or not isinstance(data.get(section), dict):
        sys.exit("%s: no section '%s'" % (path, section))
    return data[section]
