//! Random WIDL schemas from a seed (a small generator, so a failure names its seed), for the
//! property tests and the compile matrix. They quote text with `printer`.

use wapc_codegen::model::PRIMITIVES;

/// xorshift64*: enough randomness for test inputs, and reproducible from the seed.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

/// Field and parameter names: keywords of the targets included, none two alike in any of them.
const NAMES: [&str; 20] = [
    "id", "name", "type", "match", "fn", "func", "range", "class", "default", "value", "count",
    "userId", "url", "items", "next", "map", "string", "data", "select", "import",
];
const TEXTS: [&str; 6] = [
    "plain",
    "with \"quotes\" and \\",
    "ünïcödé 🦀",
    "tab\tand\nnewline",
    "",
    "\u{1}",
];

/// The random schema of `seed`, which validates: every name it uses is defined, and once.
/// With `annotations`, it declares a directive and annotates some definitions with it.
pub fn schema(seed: u64, annotations: bool) -> String {
    generate(seed, annotations, Syntax::Current)
}

/// The random schema of `seed` in the syntax the old parser (@wapc/widl 0.0.6) reads: no
/// aliases, and enum display names after the index without `as`.
pub fn old_schema(seed: u64, annotations: bool) -> String {
    generate(seed, annotations, Syntax::Old)
}

#[derive(Clone, Copy, PartialEq)]
enum Syntax {
    Current,
    Old,
}

fn generate(seed: u64, annotations: bool, syntax: Syntax) -> String {
    let rng = &mut Rng::new(seed);
    let types = 1 + rng.below(4);
    let enums = rng.below(3);
    let mut named: Vec<String> = (0..types).map(|i| format!("Type{i}")).collect();
    named.extend((0..enums).map(|i| format!("Enum{i}")));
    let unions = if types > 1 { rng.below(2) } else { 0 };
    // Drawn in both syntaxes, so that a seed gives the same schema otherwise.
    let aliases = match (rng.below(3), syntax) {
        (_, Syntax::Old) => 0,
        (n, Syntax::Current) => n,
    };
    let mut out = format!("namespace \"random.{}\"\n\n", rng.below(1000));
    if annotations {
        out.push_str("directive @note(text: string) on TYPE | FIELD | OPERATION | ENUM\n\n");
    }
    let annotation = |rng: &mut Rng| {
        if annotations && rng.chance(30) {
            format!(" @note(text: {})", super::printer::quote(rng.pick(&TEXTS)))
        } else {
            String::new()
        }
    };
    for e in 0..enums {
        out.push_str(&format!("enum Enum{e}{} {{\n", annotation(rng)));
        let mut index = 0;
        for v in 0..1 + rng.below(4) {
            index += rng.below(3);
            let display = if rng.chance(50) {
                let as_ = if syntax == Syntax::Old { "" } else { " as" };
                format!("{as_} {}", super::printer::quote(rng.pick(&TEXTS)))
            } else {
                String::new()
            };
            out.push_str(&format!("  VALUE_{v} = {index}{display}\n"));
            index += 1;
        }
        out.push_str("}\n\n");
    }
    for t in 0..types {
        if rng.chance(40) {
            out.push_str(&format!("{}\n", super::printer::quote(rng.pick(&TEXTS))));
        }
        out.push_str(&format!("type Type{t}{} {{\n", annotation(rng)));
        let mut fields: Vec<&str> = NAMES.to_vec();
        for _ in 0..rng.below(6) {
            let name = fields.remove(rng.below(fields.len()));
            let (ty, default) = field_type(rng, &named, t);
            out.push_str(&format!("  {name}: {ty}{default}{}\n", annotation(rng)));
        }
        out.push_str("}\n\n");
    }
    for u in 0..unions {
        out.push_str(&format!("union Union{u} = Type0 | Type1 | string\n\n"));
    }
    for a in 0..aliases {
        let target = format!("[{}]", named[rng.below(named.len())]);
        out.push_str(&format!("alias Alias{a} = {target}\n\n"));
    }
    out.push_str("interface {\n");
    for o in 0..1 + rng.below(4) {
        let mut names: Vec<&str> = NAMES.to_vec();
        let returns = if rng.chance(70) {
            format!(": {}", random_type(rng, &named, 2))
        } else {
            String::new()
        };
        if rng.chance(40) {
            let ty = random_type(rng, &named, 2);
            out.push_str(&format!(
                "  op{o}{{value: {ty}}}{returns}{}\n",
                annotation(rng)
            ));
        } else {
            let parameters: Vec<String> = (0..rng.below(4))
                .map(|_| {
                    let name = names.remove(rng.below(names.len()));
                    format!("{name}: {}", random_type(rng, &named, 2))
                })
                .collect();
            out.push_str(&format!(
                "  op{o}({}){returns}{}\n",
                parameters.join(", "),
                annotation(rng)
            ));
        }
    }
    out.push_str("}\n\nrole Callbacks {\n  notify{value: string}\n  ask(question: string, count: u32): [string]\n}\n");
    out
}

fn random_type(rng: &mut Rng, named: &[String], depth: usize) -> String {
    match rng.below(if depth == 0 { 2 } else { 5 }) {
        0 => rng.pick(&PRIMITIVES).to_string(),
        1 => named[rng.below(named.len())].clone(),
        2 => format!("[{}]", random_type(rng, named, depth - 1)),
        3 => format!("{{string: {}}}", random_type(rng, named, depth - 1)),
        _ => format!("{}?", random_type(rng, named, 0)),
    }
}

/// A field's type, and sometimes a default value that fits it. A field of type `TypeN` may
/// only name itself through an optional, or the type would be infinite.
fn field_type(rng: &mut Rng, named: &[String], own: usize) -> (String, String) {
    if rng.chance(30) {
        let (ty, value) = match rng.below(4) {
            0 => ("i32", format!("{}", rng.below(1000) as i64 - 500)),
            1 => ("string", super::printer::quote(rng.pick(&TEXTS))),
            2 => ("bool", "true".to_string()),
            _ => ("f64", "1.5".to_string()),
        };
        return (ty.to_string(), format!(" = {value}"));
    }
    // A plain field may hold only a later type, so that no type holds itself without an
    // optional, list or map in between (which no finite value could satisfy).
    let ty = random_type(rng, named, 2);
    let earlier = ty
        .strip_prefix("Type")
        .and_then(|n| n.parse::<usize>().ok())
        .is_some_and(|n| n <= own);
    if earlier {
        return (format!("{ty}?"), String::new());
    }
    (ty, String::new())
}
