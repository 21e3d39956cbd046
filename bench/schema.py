"""Synthetic WIDL schemas for the benchmarks: N types of 10 mixed fields and N operations.

`schema(types, fields)` gives each type `fields` fields instead (the ten repeated, numbered);
`bench/run` measures memory on 10,000 types of 100 fields, a million fields.

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


def schema(types: int, fields: int = 10) -> str:
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
        for n in range(fields - 1):
            name, ty = FIELDS[n % len(FIELDS)]
            out.append(f"  {name if n < len(FIELDS) else f'f{n}'}: {ty}")
        # The last field nests another type.
        out.append(f"  next: Type{(i + 1) % types}?")
        out.append("}\n")
    return "\n".join(out)


if __name__ == "__main__":
    sys.stdout.write(schema(*map(int, sys.argv[1:3])))
