"""Synthetic WIDL schemas for the benchmarks: N types of 10 mixed fields and N operations.

Only syntax that the reference parser (@wapc/widl 0.0.6, used by @wapc/widl-codegen 0.0.7)
also reads, so that both generators run on the very same file.
"""

import sys

FIELDS = [
    ("id", "string"),
    ("count", "i64"),
    ("ratio", "f64"),
    ("enabled", "bool"),
    ("note", "string?"),
    ("tags", "[string]"),
    ("scores", "{string: i32}"),
    ("payload", "bytes"),
    ("small", "u8"),
]


def schema(types: int) -> str:
    out = ['namespace "bench"\n']
    out.append("interface {")
    for i in range(types):
        if i % 2:
            out.append(f"  op{i}(a: Type{i}, b: string, c: i32?): Type{i}")
        else:
            out.append(f"  op{i}{{value: Type{i}}}: [Type{i}]")
    out.append("}\n")
    for i in range(types):
        out.append(f'"Type number {i}."')
        out.append(f"type Type{i} {{")
        for name, ty in FIELDS:
            out.append(f"  {name}: {ty}")
        # The tenth field nests another type.
        out.append(f"  next: Type{(i + 1) % types}?")
        out.append("}\n")
    return "\n".join(out)


if __name__ == "__main__":
    sys.stdout.write(schema(int(sys.argv[1])))
