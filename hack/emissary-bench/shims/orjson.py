# Stand-in for orjson (not installable everywhere): its API over the
# standard library's json, used only when the real orjson is missing.
# Indented dumps then run json's pure-Python encoder, slower than orjson:
# bench.py reports which one it used.
import json

OPT_NON_STR_KEYS = 1
OPT_SORT_KEYS = 2
OPT_INDENT_2 = 4


class JSONDecodeError(ValueError):
    pass


def _default(o):
    if isinstance(o, set):
        return sorted(o)
    if hasattr(o, "as_dict"):
        return o.as_dict()
    raise TypeError(repr(type(o)))


def dumps(obj, option=0, default=None):
    indent = 2 if option & OPT_INDENT_2 else None
    separators = None if indent else (",", ":")
    return json.dumps(obj, sort_keys=bool(option & OPT_SORT_KEYS), indent=indent,
                      separators=separators, default=default or _default).encode()


def loads(s):
    return json.loads(s)
