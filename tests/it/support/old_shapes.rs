//! Schema shapes in the syntax the old parser (@wapc/widl 0.0.6) accepts, for the differential
//! tests: every alternative of each of its productions (type expressions, values, the optional
//! parts of each definition, operation forms, enum values, punctuation and comments), each
//! crossed with the alternatives of its neighbours, in small valid schemas. 0.0.6 has no
//! `alias`, no `stream`, and an enum value's display name follows its index without `as`.

use wapc_codegen::model::PRIMITIVES;

/// A definition's description: none, a string with every escape, a block string.
const DESCRIPTIONS: [&str; 4] = [
    "",
    "\"Plain words.\"\n",
    "\"Escapes: \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u00e9 \\u2028.\"\n",
    "\"\"\"\n    A block,\n      indented, with \\\"\"\" inside.\n    \"\"\"\n",
];

/// Annotations after a definition, member or parameter: none, bare, an unnamed argument,
/// named arguments, several. (0.0.6 reads a name at the start of an argument as the
/// argument's name, so an unnamed argument is never `true`, `null` or an enum value.)
const ANNOTATIONS: [&str; 6] = [
    "",
    " @flag",
    " @n(1)",
    " @route(path: \"/x\", method: GET)",
    " @a @b(-1) @c(value: [1, 2.5, \"s\"], on: true)",
    " @meta({key: \"v\", \"quoted key\": [null, {x: -3}]})",
];

/// Literals (an annotation argument takes any of them) with a field type each fits as its
/// default.
const VALUES: [(&str, &str); 16] = [
    ("0", "i32"),
    ("-42", "i64"),
    ("255", "u8"),
    ("1.5", "f64"),
    ("-0.25e3", "f32"),
    ("2E+2", "f64"),
    ("\"text with \\\"quotes\\\"\"", "string"),
    ("\"\"\"block text\"\"\"", "string"),
    ("\"\"", "string"),
    ("true", "bool"),
    ("false", "bool"),
    ("null", "string?"),
    ("GREEN", "Color"),
    ("[]", "[i32]"),
    ("[1 2 3]", "[i64]"),
    ("[\"a\", \"b\"]", "[string]"),
];

/// The named types every shape defines, that type expressions refer to.
const PRELUDE: &str = "enum Color {\n  RED = 0\n  GREEN = 1\n}\n\ntype Target {\n  id: string\n}\n\n\
                       union Either = Target | Color\n\n";

/// Every type expression up to two levels deep: each built-in and named type, and lists, maps
/// (keys of every scalar kind) and optionals of them, and of those again.
pub fn type_expressions() -> Vec<String> {
    let mut base: Vec<String> = PRIMITIVES.iter().map(|p| p.to_string()).collect();
    base.extend(["Target", "Color", "Either"].map(String::from));
    let keys = ["string", "i32", "u64", "bool", "Color"];
    let mut once = Vec::new();
    for t in &base {
        once.push(format!("[{t}]"));
        once.push(format!("{{string: {t}}}"));
        once.push(format!("{t}?"));
    }
    for k in keys {
        once.push(format!("{{{k}: i64}}"));
    }
    let mut twice = Vec::new();
    for t in &once {
        twice.push(format!("[{t}]"));
        twice.push(format!("{{string: {t}}}"));
        if !t.ends_with('?') {
            twice.push(format!("{t}?"));
        }
    }
    base.into_iter().chain(once).chain(twice).collect()
}

/// The corpus: a list of (name, schema) pairs, each a valid schema with no imports, and the
/// import shapes (`imports`), which only parse on their own.
pub fn corpus() -> Vec<(String, String)> {
    let mut shapes = vec![("types".to_string(), types_shape(true))];
    shapes.extend(definition_shapes());
    shapes
}

/// The corpus for the generated code's API: every type expression once as a field, a
/// parameter and a result (not also as a second and a unary parameter, which generate the
/// same declarations and would make the corpus's code several times larger).
pub fn corpus_for_api() -> Vec<(String, String)> {
    let mut shapes = vec![("types".to_string(), types_shape(false))];
    shapes.extend(definition_shapes());
    shapes
}

/// Every type expression as a field, a parameter and a result; with `every_position`, also as
/// a second parameter and a unary one.
fn types_shape(every_position: bool) -> String {
    let mut fields = String::from("type Everything {\n");
    let mut operations = String::from("interface {\n");
    for (i, t) in type_expressions().iter().enumerate() {
        fields.push_str(&format!("  f{i}: {t}\n"));
        if every_position {
            operations.push_str(&format!(
                "  op{i}(p: {t}, q: {t}): {t}\n  unary{i}{{v: {t}}}: {t}\n"
            ));
        } else {
            operations.push_str(&format!("  op{i}(p: {t}): {t}\n"));
        }
    }
    fields.push_str("}\n");
    operations.push_str("}\n");
    format!("{PRELUDE}{fields}\n{operations}")
}

/// The shapes besides the type expressions.
fn definition_shapes() -> Vec<(String, String)> {
    let mut shapes = Vec::new();

    // Definitions with each description and annotation list, members likewise.
    for (d, description) in DESCRIPTIONS.iter().enumerate() {
        for (a, annotations) in ANNOTATIONS.iter().enumerate() {
            let field_description =
                DESCRIPTIONS[(d + a) % DESCRIPTIONS.len()].replace('\n', "\n  ");
            let member_annotations = ANNOTATIONS[(a + 1) % ANNOTATIONS.len()];
            let namespace = if a % 2 == 0 {
                "\"ns.quoted\""
            } else {
                "bare_ns"
            };
            let text = format!(
                "{description}namespace {namespace}{annotations}\n\n\
                 {description}enum Level{annotations} {{\n  {field_description}LOW = 0{member_annotations}\n  HIGH = 1 \"High\"{member_annotations}\n}}\n\n\
                 {description}type Record{annotations} {{\n  {field_description}name: string{member_annotations}\n  level: Level = HIGH{member_annotations}\n}}\n\n\
                 {description}union Choice{annotations} = Record | Level\n\n\
                 {description}interface{annotations} {{\n  {field_description}call({field_description}r: Record{member_annotations}): Choice{member_annotations}\n}}\n\n\
                 {description}role Store{annotations} {{\n  {field_description}put{{{field_description}r: Record{member_annotations}}}{member_annotations}\n}}\n"
            );
            shapes.push((format!("description {d}, annotations {a}"), text));
        }
    }

    // Each default value on a field and on a parameter.
    for (v, (value, ty)) in VALUES.iter().enumerate() {
        shapes.push((
            format!("default {v}"),
            format!(
                "{PRELUDE}type Defaults {{\n  value: {ty} = {value}\n}}\n\n\
                 interface {{\n  take(value: {ty} = {value}): {ty}\n  one{{value: {ty} = {value}}}\n}}\n"
            ),
        ));
    }

    // Operation forms: parameters (none, unary, one, several) by result (none, `void`, a type).
    let parameter_forms = [
        "()",
        "{v: string}",
        "(a: i32)",
        "(a: i32, b: [Target], c: Color?)",
    ];
    let result_forms = ["", ": void", ": Target", ": [string]"];
    let mut interface = String::from("interface {\n");
    let mut role = String::from("role Calls {\n");
    for (p, parameters) in parameter_forms.iter().enumerate() {
        for (r, result) in result_forms.iter().enumerate() {
            interface.push_str(&format!("  op{p}x{r}{parameters}{result}\n"));
            role.push_str(&format!("  call{p}x{r}{parameters}{result}\n"));
        }
    }
    shapes.push((
        "operation forms".into(),
        format!("{PRELUDE}{interface}}}\n\n{role}}}\n\nrole Empty {{\n}}\n"),
    ));

    // Enum values: indexes in any order and gaps, display names (after the index, on its
    // line), descriptions, annotations; empty enums and types. A description follows a
    // display name or starts the enum: after a bare index, 0.0.6 would read it as that value's
    // display name, 0.0.12 (and wapc) as the next value's description (see the README).
    for (d, description) in DESCRIPTIONS.iter().enumerate() {
        let description = description.replace('\n', "\n  ");
        shapes.push((
            format!("enum values {d}"),
            format!(
                "enum Sparse {{\n  {description}ZERO = 0 \"Zero\"\n  TEN = 10 \"Ten\"\n  {description}FIVE = 5 @flag\n  SIX = 6\n  SEVEN = 7 \"\"\n  LAST = 11\n}}\n\n\
                 enum Empty {{\n}}\n\ntype Nothing {{\n}}\n\ninterface {{\n}}\n"
            ),
        ));
    }

    // Implements, unions of one and of many members, directives with parameters, locations
    // and requirements, used where they are declared.
    shapes.push((
        "implements, unions, directives".into(),
        format!(
            "{PRELUDE}type Base {{\n  x: i32\n}}\n\ntype One implements Base {{\n  x: i32\n}}\n\n\
             type Two implements & Base & Target {{\n  x: i32\n  id: string\n}}\n\n\
             union Single = Target\n\nunion Many = Target | Color | Base | One\n\n\
             \"Documented.\"\ndirective @auth(role: string, level: i32 = 1) on TYPE | FIELD | OPERATION\n\n\
             directive @mark on | TYPE | ENUM | UNION | INTERFACE | ROLE | PARAMETER | NAMESPACE | ENUM_VALUE\n\n\
             directive @scoped(name: string) on OPERATION require @auth on OPERATION\n\n\
             type Guarded @auth(role: \"admin\") @mark {{\n  secret: string @auth(role: \"root\", level: 3)\n}}\n\n\
             interface @mark {{\n  guarded(p: string @mark): Guarded @auth(role: \"user\") @scoped(name: \"s\")\n}}\n"
        ),
    ));

    // Names that wapc and the old generator spell differently: initialisms, runs of capitals,
    // underscores, a trailing `Id`, digits.
    shapes.push((
        "spellings".into(),
        "namespace \"spellings\"\n\n\
         type HttpRequest {\n  url: string\n  httpURL: string\n  user_name: string\n  ID: string\n  userId: string\n  apiKey: string\n  v2Api: bool\n}\n\n\
         type HTTPResponse {\n  statusCode: u32\n  xmlBody: string\n  request: HttpRequest\n}\n\n\
         type Item_2 {\n  item_id: string\n}\n\n\
         interface {\n  getURL{req: HttpRequest}: HTTPResponse\n  fetchUserId(userId: string, httpURL: string): Item_2\n  get_user_name(user_name: string): string\n}\n\n\
         role Outbound {\n  sendHTTP(url: string): HTTPResponse\n  put_item{item: Item_2}\n}\n"
            .into(),
    ));

    // The same schema in every layout the lexer allows: commas anywhere, comments, CRLF line
    // ends, a byte order mark, tabs, everything on one line.
    let plain = format!(
        "namespace \"layout\"\n\n{PRELUDE}type Pair {{\n  left: Target\n  right: {{string: [Color?]}}\n}}\n\n\
         interface {{\n  swap(left: Target, right: Target): Pair\n}}\n"
    );
    let layouts: [(&str, String); 5] = [
        ("commas", plain.replace('\n', ",\n").replace(": ", ":, ")),
        (
            "comments",
            plain.replace('\n', " # a comment, with \"quotes\" { [\n"),
        ),
        ("crlf", plain.replace('\n', "\r\n")),
        (
            "bom and tabs",
            format!("\u{feff}{}", plain.replace("  ", "\t")),
        ),
        ("one line", plain.replace('\n', " ")),
    ];
    for (name, text) in layouts {
        shapes.push((format!("layout: {name}"), text));
    }
    shapes
}

/// Import shapes, for parsing only (their files do not exist).
pub fn imports() -> Vec<String> {
    let mut shapes = Vec::new();
    for (d, description) in DESCRIPTIONS.iter().enumerate() {
        for from in ["\"other.widl\"", "\"org:iface\"", "bare"] {
            let annotations = ANNOTATIONS[d % ANNOTATIONS.len()];
            shapes.push(format!("{description}import * from {from}{annotations}\n"));
            shapes.push(format!(
                "{description}import {{ A, B as C }} from {from}{annotations}\nimport {{ D }} from {from}\n"
            ));
        }
    }
    shapes
}
