//! `wapc lsp`, driven as an editor drives it: the binary spawned, JSON-RPC frames written to
//! its stdin and read from its stdout.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

use serde_json::{Value, json};

use crate::cli::{stdout, wapc, wapc_with_stdin};
use crate::common::{scratch_dir, write};

struct Client {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    next_id: i64,
    /// Notifications read while waiting for a response.
    notifications: VecDeque<Value>,
}

impl Client {
    /// Starts `wapc lsp` in `dir` and initializes it, offering UTF-8 positions if `utf8`.
    fn start(dir: &Path, utf8: bool) -> (Client, Value) {
        let mut child = Command::new(env!("CARGO_BIN_EXE_wapc"))
            .args(["lsp", "--stdio"])
            .current_dir(dir)
            .env("WAPC_HOME", dir.join("no-wapc-home"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start wapc lsp");
        let mut client = Client {
            stdin: child.stdin.take().expect("piped"),
            stdout: BufReader::new(child.stdout.take().expect("piped")),
            child,
            next_id: 1,
            notifications: VecDeque::new(),
        };
        let encodings = if utf8 {
            json!(["utf-8", "utf-16"])
        } else {
            json!(["utf-16"])
        };
        let result = client.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": uri(dir),
                "capabilities": {"general": {"positionEncodings": encodings}},
            }),
        );
        client.notify("initialized", json!({}));
        (client, result["result"].clone())
    }

    fn write_raw(&mut self, body: &[u8]) {
        let header = format!("Content-Length: {}\r\n\r\n", body.len());
        self.stdin.write_all(header.as_bytes()).unwrap();
        self.stdin.write_all(body).unwrap();
        self.stdin.flush().unwrap();
    }

    fn send(&mut self, message: Value) {
        self.write_raw(message.to_string().as_bytes());
    }

    fn read(&mut self) -> Value {
        let mut length = 0;
        loop {
            let mut line = String::new();
            assert!(
                self.stdout.read_line(&mut line).unwrap() > 0,
                "wapc lsp closed stdout"
            );
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some(value) = line.strip_prefix("Content-Length: ") {
                length = value.parse().unwrap();
            }
        }
        let mut body = vec![0; length];
        self.stdout.read_exact(&mut body).unwrap();
        serde_json::from_slice(&body).unwrap()
    }

    /// The response to the message with `id`, keeping notifications for later.
    fn response(&mut self, id: &Value) -> Value {
        loop {
            let message = self.read();
            if message.get("method").is_some() {
                self.notifications.push_back(message);
            } else {
                assert_eq!(&message["id"], id, "responses come in order: {message}");
                return message;
            }
        }
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = json!(self.next_id);
        self.next_id += 1;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        self.response(&id)
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// The next `textDocument/publishDiagnostics` for `path` (others are kept for later).
    fn diagnostics(&mut self, path: &Path) -> Vec<Value> {
        let wanted = uri(path);
        let is_wanted = |message: &Value| {
            message["method"] == "textDocument/publishDiagnostics"
                && message["params"]["uri"] == wanted
        };
        let message = match self.notifications.iter().position(is_wanted) {
            Some(at) => self.notifications.remove(at).expect("found"),
            None => loop {
                let message = self.read();
                if is_wanted(&message) {
                    break message;
                }
                self.notifications.push_back(message);
            },
        };
        message["params"]["diagnostics"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    fn open(&mut self, path: &Path) -> Vec<Value> {
        let text = std::fs::read_to_string(path).unwrap();
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri(path), "languageId": "widl", "version": 1, "text": text}}),
        );
        self.diagnostics(path)
    }

    fn change(&mut self, path: &Path, version: i32, text: &str) -> Vec<Value> {
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri(path), "version": version},
                   "contentChanges": [{"text": text}]}),
        );
        self.diagnostics(path)
    }

    /// A request about a position of `path` (with what references and rename need).
    fn at(&mut self, method: &str, path: &Path, (line, character): (u32, u32)) -> Value {
        let mut params = json!({"textDocument": {"uri": uri(path)},
                                "position": {"line": line, "character": character}});
        match method {
            "textDocument/references" => params["context"] = json!({"includeDeclaration": true}),
            "textDocument/rename" => params["newName"] = json!("Human"),
            _ => {}
        }
        self.request(method, params)["result"].clone()
    }

    /// `shutdown`, `exit`, and the exit status.
    fn finish(mut self) -> Option<i32> {
        let response = self.request("shutdown", Value::Null);
        assert_eq!(response["result"], Value::Null);
        self.notify("exit", Value::Null);
        self.child.wait().unwrap().code()
    }
}

/// A test that fails part-way leaves no server behind.
impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn uri(path: &Path) -> String {
    let absolute = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    format!("file://{}", absolute.display()).replace(' ', "%20")
}

/// The 0-based line and UTF-16 column of the `nth` (from 0) `needle` in `text`.
fn position_of(text: &str, needle: &str, nth: usize) -> (u32, u32) {
    let at = text
        .match_indices(needle)
        .nth(nth)
        .expect("needle in text")
        .0;
    let line = text[..at].matches('\n').count();
    let start = text[..at].rfind('\n').map_or(0, |n| n + 1);
    (line as u32, text[start..at].encode_utf16().count() as u32)
}

const SHARED: &str = "\"A postal address.\"\ntype Address {\n  street: string\n}\n\
                      directive @deprecated(reason: string) on FIELD | TYPE\n";

const MAIN: &str = "namespace \"shop\"\nimport { Address, deprecated } from \"shared\"\n\n\
                    \"Someone who buys.\"\ntype Person {\n  name: string\n  home: Address\n  \
                    friend: Person? @deprecated(reason: \"no\")\n}\n\ninterface {\n  \
                    greet(person: Person): string\n}\n";

/// A folder with `main.widl` importing `shared.widl`: the folder and the two paths.
fn project(name: &str) -> (PathBuf, PathBuf, PathBuf) {
    let dir = scratch_dir(name).canonicalize().unwrap();
    let main = write(&dir, "main.widl", MAIN);
    let shared = write(&dir, "shared.widl", SHARED);
    (dir, main, shared)
}

#[test]
fn diagnostics_are_wapc_checks_and_clear_when_fixed() {
    let (dir, main, shared) = project("lsp-diagnostics");
    let broken = MAIN.replace("home: Address", "home: Adress").replace(
        "import { Address, deprecated }",
        "import { Address, deprecated, Missing }",
    );
    std::fs::write(&main, &broken).unwrap();
    let check = wapc(&dir, &["check", "main.widl"]);
    let printed = String::from_utf8_lossy(&check.stderr).into_owned();
    let (mut client, _) = Client::start(&dir, false);
    let diagnostics = client.open(&main);
    assert_eq!(diagnostics.len(), 2, "{diagnostics:?}\n{printed}");
    for diagnostic in &diagnostics {
        let message = diagnostic["message"].as_str().unwrap();
        let first = message.lines().next().unwrap();
        let line = diagnostic["range"]["start"]["line"].as_u64().unwrap() + 1;
        let column = diagnostic["range"]["start"]["character"].as_u64().unwrap() + 1;
        assert!(
            printed.contains(&format!("error: {first}\n")),
            "{first}\n{printed}"
        );
        assert!(
            printed.contains(&format!("--> main.widl:{line}:{column}")),
            "{line}:{column}\n{printed}"
        );
        for extra in message.lines().skip(1).filter(|l| l.starts_with("note: ")) {
            assert!(
                printed.contains(&format!("= {extra}")),
                "{extra}\n{printed}"
            );
        }
    }
    // Fixing the text clears them; an error in an import is published to that file.
    assert_eq!(client.change(&main, 2, MAIN), Vec::<Value>::new());
    std::fs::write(&shared, "type Address { street: Strin }\n").unwrap();
    let in_import = client.change(&main, 3, MAIN);
    assert!(in_import.is_empty() || in_import.len() == 1);
    let errors = client.diagnostics(&shared);
    assert!(
        errors[0]["message"].as_str().unwrap().contains("Strin"),
        "{errors:?}"
    );
    assert_eq!(client.finish(), Some(0));
}

#[test]
fn hover_definition_references_and_symbols() {
    let (dir, main, shared) = project("lsp-navigation");
    let (mut client, _) = Client::start(&dir, false);
    client.open(&main);

    let hover = client.at("textDocument/hover", &main, position_of(MAIN, "Person", 2));
    let text = hover["contents"]["value"].as_str().unwrap();
    assert!(
        text.starts_with("```widl\ntype Person {\n  name: string\n"),
        "{text}"
    );
    assert!(text.ends_with("```\n\nSomeone who buys."), "{text}");
    let hover = client.at("textDocument/hover", &main, position_of(MAIN, "Address", 1));
    let text = hover["contents"]["value"].as_str().unwrap();
    assert!(
        text.contains("type Address") && text.contains("A postal address."),
        "{text}"
    );
    let hover = client.at("textDocument/hover", &main, position_of(MAIN, "string", 0));
    assert!(
        hover["contents"]["value"]
            .as_str()
            .unwrap()
            .contains("built-in")
    );
    let hover = client.at("textDocument/hover", &main, position_of(MAIN, "home", 0));
    assert_eq!(hover["contents"]["value"], "```widl\nhome: Address\n```");

    // Into the imported file, for a type and for a directive.
    let definition = client.at(
        "textDocument/definition",
        &main,
        position_of(MAIN, "Address", 1),
    );
    assert_eq!(definition["uri"], uri(&shared));
    assert_eq!(
        definition["range"]["start"],
        json!({"line": 1, "character": 5})
    );
    let definition = client.at(
        "textDocument/definition",
        &main,
        position_of(MAIN, "deprecated", 1),
    );
    assert_eq!(definition["uri"], uri(&shared));
    assert_eq!(
        definition["range"]["start"],
        json!({"line": 4, "character": 11})
    );
    let definition = client.at(
        "textDocument/definition",
        &main,
        position_of(MAIN, "Person", 1),
    );
    assert_eq!(definition["uri"], uri(&main));
    assert_eq!(
        definition["range"]["start"],
        json!({"line": 4, "character": 5})
    );

    let references = client.at(
        "textDocument/references",
        &main,
        position_of(MAIN, "Person", 0),
    );
    let lines: Vec<u64> = references
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["range"]["start"]["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, [4, 7, 11]);
    // An imported type's references include its declaration in the imported file.
    let references = client.at(
        "textDocument/references",
        &main,
        position_of(MAIN, "Address", 1),
    );
    let uris: Vec<&str> = references
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["uri"].as_str().unwrap())
        .collect();
    assert_eq!(uris.len(), 3, "{references}");
    assert!(uris.contains(&uri(&shared).as_str()));

    let symbols = client.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": uri(&main)}}),
    )["result"]
        .clone();
    let names: Vec<&str> = symbols
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["shop", "Person", "interface"]);
    let children: Vec<&str> = symbols[1]["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(children, ["name", "home", "friend"]);
    assert_eq!(symbols[2]["children"][0]["name"], "greet");
    assert_eq!(client.finish(), Some(0));
}

fn labels(result: &Value) -> Vec<String> {
    result
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["label"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn completion_knows_where_the_cursor_is() {
    let (dir, main, _) = project("lsp-completion");
    let (mut client, _) = Client::start(&dir, false);
    client.open(&main);
    let text = MAIN.replace("  name: string\n", "  name: \n  other: string @\n");
    client.change(&main, 2, &text);
    let (line, column) = position_of(&text, "name: ", 0);
    let types = labels(&client.at("textDocument/completion", &main, (line, column + 6)));
    for wanted in ["string", "u64", "datetime", "Person", "Address"] {
        assert!(types.contains(&wanted.to_string()), "{wanted}: {types:?}");
    }
    assert!(!types.contains(&"type".to_string()));
    let (line, column) = position_of(&text, "@\n", 0);
    let directives = labels(&client.at("textDocument/completion", &main, (line, column + 1)));
    assert_eq!(directives, ["deprecated"]);
    let end = position_of(&text, "}\n", 1);
    let keywords = labels(&client.at("textDocument/completion", &main, (end.0 + 1, 0)));
    assert!(keywords.contains(&"type".to_string()) && keywords.contains(&"interface".to_string()));
    assert!(!keywords.contains(&"string".to_string()));
    assert_eq!(client.finish(), Some(0));
}

#[test]
fn formatting_gives_wapc_fmts_output_and_rename_updates_every_open_file() {
    let (dir, main, _) = project("lsp-edit");
    let other = write(
        &dir,
        "other.widl",
        "import { Person } from \"main\"\ntype Team { lead: Person }\n",
    );
    let (mut client, _) = Client::start(&dir, false);
    let messy = MAIN
        .replace("  name: string\n", "  name:string,")
        .replace("greet(person", "greet( person");
    client.open(&main);
    client.change(&main, 2, &messy);
    client.open(&other);

    let edits = client.request(
        "textDocument/formatting",
        json!({"textDocument": {"uri": uri(&main)}, "options": {"tabSize": 2, "insertSpaces": true}}),
    )["result"]
        .clone();
    let fmt = wapc_with_stdin(&dir, &["fmt", "-"], messy.as_bytes());
    assert_eq!(edits.as_array().unwrap().len(), 1);
    assert_eq!(edits[0]["newText"].as_str().unwrap(), stdout(&fmt));
    assert_eq!(
        edits[0]["range"]["start"],
        json!({"line": 0, "character": 0})
    );
    let lines = messy.lines().count() as u64;
    assert_eq!(
        edits[0]["range"]["end"],
        json!({"line": lines, "character": 0})
    );

    client.change(&main, 3, MAIN);
    let prepared = client.at(
        "textDocument/prepareRename",
        &main,
        position_of(MAIN, "Person", 1),
    );
    assert_eq!(prepared["start"], json!({"line": 7, "character": 10}));
    let edit = client.at("textDocument/rename", &main, position_of(MAIN, "Person", 1));
    let in_main = edit["changes"][uri(&main)].as_array().unwrap();
    assert_eq!(in_main.len(), 3);
    assert!(in_main.iter().all(|e| e["newText"] == "Human"));
    let in_other = edit["changes"][uri(&other)].as_array().unwrap();
    assert_eq!(in_other.len(), 2, "the import and the use: {edit}");
    // Only types are renamed.
    let refused = client.request(
        "textDocument/rename",
        json!({"textDocument": {"uri": uri(&main)}, "position": {"line": 5, "character": 3}, "newName": "x"}),
    );
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap()
            .contains("type"),
        "{refused}"
    );
    assert_eq!(client.finish(), Some(0));
}

#[test]
fn positions_count_utf16_by_default_and_utf8_when_offered() {
    let dir = scratch_dir("lsp-encodings");
    let text = "type Person { n: string }\ntype A { \"é😀\" p: Person, \"é\" q: Strin }\n";
    let path = write(&dir, "enc.widl", text).canonicalize().unwrap();
    for (utf8, column, encoding) in [(false, 33, "utf-16"), (true, 37, "utf-8")] {
        let (mut client, capabilities) = Client::start(&dir, utf8);
        assert_eq!(capabilities["capabilities"]["positionEncoding"], encoding);
        let diagnostics = client.open(&path);
        assert_eq!(
            diagnostics[0]["range"]["start"],
            json!({"line": 1, "character": column})
        );
        // `Person` after `"é😀" p: `: 18 UTF-16 units, 21 bytes into the line.
        let person = if utf8 { 21 } else { 18 };
        let definition = client.at("textDocument/definition", &path, (1, person + 2));
        assert_eq!(
            definition["range"]["start"],
            json!({"line": 0, "character": 5})
        );
        let hover = client.at("textDocument/hover", &path, (1, person));
        assert_eq!(
            hover["range"]["start"],
            json!({"line": 1, "character": person})
        );
        assert_eq!(client.finish(), Some(0));
    }
}

#[test]
fn malformed_messages_get_errors_and_the_server_goes_on() {
    let (dir, main, _) = project("lsp-malformed");
    let (mut client, _) = Client::start(&dir, false);
    client.write_raw(b"{not json");
    let error = client.read();
    assert_eq!(error["id"], Value::Null);
    assert_eq!(error["error"]["code"], -32700);
    client.send(json!({"jsonrpc": "2.0", "id": 41}));
    let error = client.read();
    assert_eq!(
        (error["id"].clone(), error["error"]["code"].clone()),
        (json!(41), json!(-32600))
    );
    let error = client.request("textDocument/unknown", json!({}));
    assert_eq!(error["error"]["code"], -32601);
    let error = client.request("textDocument/hover", json!({"textDocument": 3}));
    assert_eq!(error["error"]["code"], -32602);
    let closed = json!({"textDocument": {"uri": uri(&dir.join("closed.widl"))},
                        "position": {"line": 0, "character": 0}});
    let error = client.request("textDocument/hover", closed);
    assert_eq!(error["error"]["code"], -32602, "{error}");
    client.open(&main);
    let hover = client.at("textDocument/hover", &main, position_of(MAIN, "Person", 1));
    assert!(
        hover["contents"]["value"]
            .as_str()
            .unwrap()
            .contains("type Person")
    );
    assert_eq!(client.finish(), Some(0));
}

#[test]
fn exit_without_shutdown_is_status_1() {
    let dir = scratch_dir("lsp-exit");
    let (mut client, _) = Client::start(&dir, false);
    client.notify("exit", Value::Null);
    assert_eq!(client.child.wait().unwrap().code(), Some(1));
}
