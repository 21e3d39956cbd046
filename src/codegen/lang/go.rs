//! The Go targets (`tinygo/*` guests and the `go/host` application side): how WIDL names and
//! types are spelled in Go, and the MessagePack encode / decode statements for any type.
//!
//! The statements target `github.com/wapc/tinygo-msgpack`: `go_encode` writes a value to a
//! `w msgpack.Writer` inside a function returning `error`; `go_decode` reads into an
//! assignable target from an `r msgpack.Reader` inside a function whose `err` is in scope.
//! Nested lists, maps and optionals become nested loops and blocks whose variables carry the
//! nesting depth, so that no name is declared twice in one scope.

use std::sync::LazyLock;

use crate::codegen::language::{Formatter, Language, LanguageHelpers, TemplateFolder};
use crate::codegen::names::{Case, NameSet, case};
use crate::codegen::spelling::{self, Spelling};
use crate::codegen::ty::{Kind, Ty};
use crate::parser::ast::Primitive;

/// Go: `.go` files, the TinyGo guest (`tinygo/`) and Go host (`go/`) templates, gofmt.
pub(crate) const LANGUAGE: Language = Language {
    name: "Go",
    extensions: &["go"],
    template_folders: &[
        TemplateFolder {
            name: "tinygo",
            visitors: &[("ModuleVisitor", "module"), ("ScaffoldVisitor", "scaffold")],
        },
        TemplateFolder {
            name: "go",
            visitors: &[("ModuleVisitor", "host")],
        },
    ],
    helpers: HELPERS,
    type_name,
    member_name: exported_name,
    formatter: Some(Formatter {
        program: "gofmt",
        args: &[],
    }),
};

const HELPERS: LanguageHelpers = LanguageHelpers {
    strings: &[
        ("go_name", exported_name),
        ("go_method", method_name),
        ("go_var", value_name),
        ("go_type_name", type_name),
        ("go_str", string_literal),
        ("go_field", |name| format!("o.{}", exported_name(name))),
    ],
    types: &[
        ("go_type", |ty| type_of(ty, "")),
        ("go_variant", variant_name),
        ("go_member", |ty| format!("*o.{}", variant_name(ty))),
    ],
    type_exprs: &[
        ("go_encode", encode),
        ("go_decode", decode),
        ("go_qualified", qualified_type),
    ],
};

/// Words that Go spells in capitals whole (as golint and the standard library do).
const INITIALISMS: &[&str] = &[
    "acl", "api", "ascii", "cpu", "css", "dns", "eof", "guid", "html", "http", "https", "id", "ip",
    "json", "lhs", "qps", "ram", "rhs", "rpc", "sla", "smtp", "sql", "ssh", "tcp", "tls", "ttl",
    "udp", "ui", "uid", "uuid", "uri", "url", "utf8", "vm", "xml", "xmpp", "xsrf", "xss", "oauth",
];

/// Go's keywords and predeclared identifiers, the packages the generated code imports, and
/// the local names it declares: a parameter or function with one of these names gets a
/// trailing underscore.
const RESERVED_VALUES: &[&str] = &[
    // keywords
    "break",
    "case",
    "chan",
    "const",
    "continue",
    "default",
    "defer",
    "else",
    "fallthrough",
    "for",
    "func",
    "go",
    "goto",
    "if",
    "import",
    "interface",
    "map",
    "package",
    "range",
    "return",
    "select",
    "struct",
    "switch",
    "type",
    "var",
    // predeclared identifiers
    "any",
    "append",
    "bool",
    "byte",
    "cap",
    "clear",
    "close",
    "comparable",
    "complex",
    "complex64",
    "complex128",
    "copy",
    "delete",
    "error",
    "false",
    "float32",
    "float64",
    "imag",
    "int",
    "int8",
    "int16",
    "int32",
    "int64",
    "iota",
    "len",
    "make",
    "max",
    "min",
    "new",
    "nil",
    "panic",
    "print",
    "println",
    "real",
    "recover",
    "rune",
    "string",
    "true",
    "uint",
    "uint8",
    "uint16",
    "uint32",
    "uint64",
    "uintptr",
    // imported packages, and names the generated code declares
    "context",
    "errors",
    "math",
    "msgpack",
    "strconv",
    "wapc",
    "main",
    "init",
];

/// Local names of the generated functions (receivers, results, buffers).
const GENERATED_LOCALS: &[&str] = &[
    "args", "c", "ctx", "err", "h", "handler", "input", "o", "payload", "r", "response", "result",
    "w",
];

/// Methods of the generated types and handler registry: fields may not take their names.
const RESERVED_MEMBERS: &[&str] = &["Encode", "Decode", "Register"];

/// Type names the generated code itself defines.
const RESERVED_TYPES: &[&str] = &[
    "Client",
    "Handlers",
    "Host",
    "HostCallHandler",
    "HostHandler",
    "Module",
    "New",
    "NewClient",
    "Raw",
    "WazeroEngine",
    "WazeroEngineWithRuntime",
];

/// The words of a WIDL name: `queryString` → `query`, `string`.
fn words(name: &str) -> Vec<String> {
    case(name, Case::Snake)
        .split('_')
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// One word capitalised the Go way: `id` → `ID`, `query` → `Query`.
fn capitalised(word: &str) -> String {
    if INITIALISMS.contains(&word) {
        word.to_uppercase()
    } else {
        spelling::capitalized(word)
    }
}

/// The words of `name` in exported Go spelling, never empty nor starting with a digit.
fn exported_words(name: &str) -> String {
    exported(words(name).iter().map(|w| capitalised(w)).collect())
}

/// `spelled` made an exported Go name where it is not one (`_x` → `X_x`).
fn exported(spelled: String) -> String {
    if spelled.starts_with(|c: char| c.is_ascii_uppercase()) {
        spelled
    } else {
        format!("X{spelled}")
    }
}

/// An exported field name: `queryString` → `QueryString`, `userId` → `UserID`; in the old
/// generator's spelling `url` → `Url` (and its Go host's `user_name` → `User_name`).
pub fn exported_name(name: &str) -> String {
    member(match Spelling::current() {
        Spelling::Wapc => exported_words(name),
        Spelling::WidlCodegen => exported(spelling::id_in_capitals(spelling::old_pascal(name))),
        Spelling::WidlCodegenGoHost => {
            exported(spelling::id_in_capitals(spelling::capitalized(name)))
        }
    })
}

/// `exported` as a field or method of the generated types, with a trailing underscore where
/// they define it themselves (`Encode` → `Encode_`).
fn member(exported: String) -> String {
    if RESERVED_MEMBERS.contains(&exported.as_str()) {
        format!("{exported}_")
    } else {
        exported
    }
}

/// A parameter, variable or unexported function name: `QueryString` → `queryString`,
/// `ID` → `id`, `userId` → `userID`; a reserved name gets a trailing underscore.
pub fn value_name(name: &str) -> String {
    let words = words(name);
    let mut value = String::new();
    for (i, word) in words.iter().enumerate() {
        if i == 0 {
            value.push_str(word);
        } else {
            value.push_str(&capitalised(word));
        }
    }
    if value.is_empty() || value.starts_with(|c: char| c.is_ascii_digit()) {
        value = format!("v{value}");
    }
    // A set: every name written asks, and the lists run to a hundred words.
    static RESERVED: LazyLock<NameSet> = LazyLock::new(|| {
        RESERVED_VALUES
            .iter()
            .chain(GENERATED_LOCALS)
            .copied()
            .collect()
    });
    if RESERVED.contains(value.as_str()) {
        value.push('_');
    }
    value
}

/// An operation's method (or handler field) name: `getUserId` → `GetUserID`; in the old
/// generator's spelling capitalised as written (`getUserId` → `GetUserId`).
pub fn method_name(name: &str) -> String {
    if Spelling::current().is_old() {
        member(exported(spelling::capitalized(name)))
    } else {
        exported_name(name)
    }
}

/// A type name: `http_request` → `HTTPRequest` (in the old generator's spelling
/// `HttpRequest`, capitalised as written); names the generated code defines get a trailing
/// underscore.
pub fn type_name(name: &str) -> String {
    let exported = if Spelling::current().is_old() {
        exported(spelling::capitalized(name))
    } else {
        exported_words(name)
    };
    if RESERVED_TYPES.contains(&exported.as_str()) {
        format!("{exported}_")
    } else {
        exported
    }
}

/// A Go interpreted string literal holding `text`.
pub fn string_literal(text: &str) -> String {
    let mut literal = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => literal.push_str("\\\""),
            '\\' => literal.push_str("\\\\"),
            '\n' => literal.push_str("\\n"),
            '\r' => literal.push_str("\\r"),
            '\t' => literal.push_str("\\t"),
            c if crate::codegen::text::misleading(c) => {
                literal.push_str(&format!("\\u{:04x}", c as u32))
            }
            c => literal.push(c),
        }
    }
    literal.push('"');
    literal
}

/// The Go type of a WIDL type; named types get `qualifier.` in front when it is not empty.
fn type_of(ty: &Ty, qualifier: &str) -> String {
    let qualify = |name: String| {
        if qualifier.is_empty() {
            name
        } else {
            format!("{qualifier}.{name}")
        }
    };
    match ty {
        Ty::Primitive { name } => match name {
            // datetime travels as RFC 3339 text, and stays text (as in the Rust target), so
            // that a value goes back exactly as it came.
            Primitive::String | Primitive::Datetime => "string".to_string(),
            Primitive::Bytes => "[]byte".to_string(),
            Primitive::Raw => qualify("Raw".to_string()),
            Primitive::I8 | Primitive::I16 | Primitive::I32 | Primitive::I64 => {
                format!("int{}", &name.name()[1..])
            }
            Primitive::U8 | Primitive::U16 | Primitive::U32 | Primitive::U64 => {
                format!("uint{}", &name.name()[1..])
            }
            Primitive::F32 => "float32".to_string(),
            Primitive::F64 => "float64".to_string(),
            Primitive::Bool => "bool".to_string(),
        },
        Ty::Named { name, .. } => qualify(type_name(name)),
        // A stream is delivered whole over waPC's request/response calls.
        Ty::List { item: inner } | Ty::Stream { inner } => {
            format!("[]{}", type_of(inner, qualifier))
        }
        Ty::Map { key, value } => {
            format!(
                "map[{}]{}",
                type_of(key, qualifier),
                type_of(value, qualifier)
            )
        }
        Ty::Optional { inner } if nil_when_absent(inner) => type_of(inner, qualifier),
        Ty::Optional { inner } => format!("*{}", type_of(inner, qualifier)),
    }
}

/// Whether `ty` is a slice or map in Go (`bytes`, a list, a stream or a map), itself or through
/// aliases. An optional one is that slice or map, nil when absent, not a pointer to it: the
/// older generators' API, which user code relies on.
fn nil_when_absent(ty: &Ty) -> bool {
    match ty.resolved() {
        Ty::Primitive { name } => *name == Primitive::Bytes,
        Ty::List { .. } | Ty::Stream { .. } | Ty::Map { .. } => true,
        Ty::Named { .. } | Ty::Optional { .. } => false,
    }
}

/// `{{go_qualified type "module"}}`: the type as another package names it (`[]module.Point`).
pub fn qualified_type(ty: &Ty, qualifier: &str) -> String {
    type_of(ty, qualifier)
}

/// The field of a union struct that holds a member type: `Point`, `String`, `ListOfString`.
pub fn variant_name(ty: &Ty) -> String {
    match ty {
        Ty::Primitive { name } => exported_name(name.name()),
        Ty::Named { name, .. } => exported_name(name),
        Ty::List { item } => format!("ListOf{}", variant_name(item)),
        Ty::Map { key, value } => format!("MapOf{}To{}", variant_name(key), variant_name(value)),
        Ty::Optional { inner } => format!("Optional{}", variant_name(inner)),
        Ty::Stream { inner } => format!("StreamOf{}", variant_name(inner)),
    }
}

/// Lines of Go, indented with tabs relative to where the helper is called (gofmt settles the
/// rest), written straight into one string.
#[derive(Default)]
struct Lines {
    text: String,
    count: usize,
}

impl Lines {
    fn line(&mut self, depth: usize, text: impl AsRef<str>) {
        if self.count > 0 {
            self.text.push('\n');
        }
        self.count += 1;
        for _ in 0..depth {
            self.text.push('\t');
        }
        self.text.push_str(text.as_ref());
    }

    fn return_on_error(&mut self, depth: usize, condition: String) {
        self.line(depth, format!("if {condition}; err != nil {{"));
        self.line(depth + 1, "return err");
        self.line(depth, "}");
    }
}

/// `{{go_encode type "o.Name"}}`: statements writing the value of `expr` to `w`.
pub fn encode(ty: &Ty, expr: &str) -> String {
    let mut lines = Lines::default();
    encode_into(&mut lines, ty, expr, 0, 0);
    lines.text
}

fn encode_into(lines: &mut Lines, ty: &Ty, expr: &str, indent: usize, depth: usize) {
    match ty {
        Ty::Primitive { name } => {
            let call = match name {
                Primitive::String | Primitive::Datetime => format!("w.WriteString({expr})"),
                Primitive::Bool => format!("w.WriteBool({expr})"),
                Primitive::I64 => format!("encodeInt(w, {expr})"),
                Primitive::I8 | Primitive::I16 | Primitive::I32 => {
                    format!("encodeInt(w, int64({expr}))")
                }
                Primitive::U8 => format!("w.WriteUint8({expr})"),
                Primitive::U16 => format!("w.WriteUint16({expr})"),
                Primitive::U32 => format!("w.WriteUint32({expr})"),
                Primitive::U64 => format!("w.WriteUint64({expr})"),
                Primitive::F32 => format!("w.WriteFloat32({expr})"),
                Primitive::F64 => format!("w.WriteFloat64({expr})"),
                Primitive::Bytes => format!("w.WriteByteArray({expr})"),
                Primitive::Raw => format!("encodeRaw(w, {expr})"),
            };
            lines.line(indent, call);
        }
        Ty::Named {
            of: Kind::Alias,
            resolved: Some(target),
            ..
        } => encode_into(lines, target, expr, indent, depth),
        Ty::Named { of: Kind::Enum, .. } => {
            lines.line(indent, format!("w.WriteUint64(uint64({expr}))"));
        }
        Ty::Named { .. } => {
            // Encode has a pointer receiver, which a dereferenced pointer calls as it is.
            let receiver = expr.strip_prefix('*').unwrap_or(expr);
            lines.return_on_error(indent, format!("err := {receiver}.Encode(w)"));
        }
        Ty::Optional { inner } => {
            lines.line(indent, format!("if {expr} == nil {{"));
            lines.line(indent + 1, "w.WriteNil()");
            lines.line(indent, "} else {");
            let value = if nil_when_absent(inner) {
                expr.to_string()
            } else {
                format!("*{expr}")
            };
            encode_into(lines, inner, &value, indent + 1, depth);
            lines.line(indent, "}");
        }
        Ty::List { item: inner } | Ty::Stream { inner } => {
            let item = format!("item{depth}");
            lines.line(indent, format!("w.WriteArraySize(uint32(len({expr})))"));
            lines.line(indent, format!("for _, {item} := range {expr} {{"));
            encode_into(lines, inner, &item, indent + 1, depth + 1);
            lines.line(indent, "}");
        }
        Ty::Map { key, value } => {
            let (k, v) = (format!("key{depth}"), format!("value{depth}"));
            lines.line(indent, format!("w.WriteMapSize(uint32(len({expr})))"));
            lines.line(indent, format!("for {k}, {v} := range {expr} {{"));
            encode_into(lines, key, &k, indent + 1, depth + 1);
            encode_into(lines, value, &v, indent + 1, depth + 1);
            lines.line(indent, "}");
        }
    }
}

/// `{{go_decode type "o.Name"}}`: statements reading a value from `r` into `target`.
pub fn decode(ty: &Ty, target: &str) -> String {
    let mut lines = Lines::default();
    decode_into(&mut lines, ty, target, 0, 0);
    lines.text
}

fn decode_into(lines: &mut Lines, ty: &Ty, target: &str, indent: usize, depth: usize) {
    match ty {
        Ty::Primitive { name } => {
            let call = match name {
                Primitive::String | Primitive::Datetime => "r.ReadString()",
                Primitive::Bool => "r.ReadBool()",
                Primitive::I8 => "decodeInt8(r)",
                Primitive::I16 => "decodeInt16(r)",
                Primitive::I32 => "decodeInt32(r)",
                Primitive::I64 => "decodeInt64(r)",
                Primitive::U8 => "r.ReadUint8()",
                Primitive::U16 => "r.ReadUint16()",
                Primitive::U32 => "r.ReadUint32()",
                Primitive::U64 => "r.ReadUint64()",
                Primitive::F32 => "r.ReadFloat32()",
                Primitive::F64 => "r.ReadFloat64()",
                Primitive::Bytes => "r.ReadByteArray()",
                Primitive::Raw => "r.ReadRaw()",
            };
            lines.return_on_error(indent, format!("{target}, err = {call}"));
        }
        Ty::Named {
            of: Kind::Alias,
            resolved: Some(resolved),
            ..
        } => decode_into(lines, resolved, target, indent, depth),
        Ty::Named { .. } => {
            lines.return_on_error(indent, format!("err = {target}.Decode(r)"));
        }
        Ty::Optional { inner } => {
            let (is_nil, some) = (format!("isNil{depth}"), format!("some{depth}"));
            lines.line(
                indent,
                format!("if {is_nil}, err := r.IsNextNil(); err != nil {{"),
            );
            lines.line(indent + 1, "return err");
            lines.line(indent, format!("}} else if {is_nil} {{"));
            lines.line(indent + 1, format!("{target} = nil"));
            lines.line(indent, "} else {");
            lines.line(indent + 1, format!("var {some} {}", type_of(inner, "")));
            decode_into(lines, inner, &some, indent + 1, depth + 1);
            let reference = if nil_when_absent(inner) { "" } else { "&" };
            lines.line(indent + 1, format!("{target} = {reference}{some}"));
            lines.line(indent, "}");
        }
        Ty::List { item: inner } | Ty::Stream { inner } => {
            let (n, item) = (format!("n{depth}"), format!("item{depth}"));
            lines.line(
                indent,
                format!("if {n}, err := r.ReadArraySize(); err != nil {{"),
            );
            lines.line(indent + 1, "return err");
            lines.line(indent, "} else {");
            lines.line(
                indent + 1,
                format!(
                    "{target} = make([]{}, 0, sizeHint({n}))",
                    type_of(inner, "")
                ),
            );
            lines.line(indent + 1, format!("for ; {n} > 0; {n}-- {{"));
            lines.line(indent + 2, format!("var {item} {}", type_of(inner, "")));
            decode_into(lines, inner, &item, indent + 2, depth + 1);
            lines.line(indent + 2, format!("{target} = append({target}, {item})"));
            lines.line(indent + 1, "}");
            lines.line(indent, "}");
        }
        Ty::Map { key, value } => {
            let n = format!("n{depth}");
            let (k, v) = (format!("key{depth}"), format!("value{depth}"));
            lines.line(
                indent,
                format!("if {n}, err := r.ReadMapSize(); err != nil {{"),
            );
            lines.line(indent + 1, "return err");
            lines.line(indent, "} else {");
            lines.line(
                indent + 1,
                format!("{target} = make({}, sizeHint({n}))", type_of(ty, "")),
            );
            lines.line(indent + 1, format!("for ; {n} > 0; {n}-- {{"));
            lines.line(indent + 2, format!("var {k} {}", type_of(key, "")));
            decode_into(lines, key, &k, indent + 2, depth + 1);
            lines.line(indent + 2, format!("var {v} {}", type_of(value, "")));
            decode_into(lines, value, &v, indent + 2, depth + 1);
            lines.line(indent + 2, format!("{target}[{k}] = {v}"));
            lines.line(indent + 1, "}");
            lines.line(indent, "}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The old generator's spelling keeps clear of the generated members as wapc's does: an
    /// operation `register` beside `Handlers.Register` would not compile.
    #[test]
    fn old_spellings_avoid_the_generated_members() {
        Spelling::WidlCodegen.apply(|| {
            assert_eq!(method_name("register"), "Register_");
            assert_eq!(method_name("getURL"), "GetURL");
            assert_eq!(exported_name("encode"), "Encode_");
            assert_eq!(exported_name("httpURL"), "HttpUrl");
            assert_eq!(type_name("host"), "Host_");
        });
        Spelling::WidlCodegenGoHost.apply(|| {
            assert_eq!(exported_name("httpURL"), "HttpURL");
            assert_eq!(exported_name("decode"), "Decode_");
        });
    }

    #[test]
    fn names_follow_go_conventions() {
        assert_eq!(exported_name("queryString"), "QueryString");
        assert_eq!(exported_name("id"), "ID");
        assert_eq!(exported_name("userId"), "UserID");
        assert_eq!(exported_name("baseURL"), "BaseURL");
        assert_eq!(exported_name("url"), "URL");
        assert_eq!(exported_name("i8"), "I8");
        assert_eq!(exported_name("encode"), "Encode_");
        assert_eq!(value_name("QueryString"), "queryString");
        assert_eq!(value_name("ID"), "id");
        assert_eq!(value_name("userId"), "userID");
        assert_eq!(value_name("type"), "type_");
        assert_eq!(value_name("range"), "range_");
        assert_eq!(value_name("result"), "result_");
        assert_eq!(type_name("http_request"), "HTTPRequest");
        assert_eq!(type_name("Host"), "Host_");
        assert_eq!(
            string_literal("a\"b\\c\n\u{0}é"),
            "\"a\\\"b\\\\c\\n\\u0000é\""
        );
    }
}
