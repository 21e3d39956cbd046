// Prints the public API of Go files, for the differential API test (tests/it/differential.rs):
// one JSON object mapping each .go file in the folders named on the command line to its
// exported declarations, each a line such as `type Item struct`, `field Item.ID int32`,
// `func New(*wapc.Instance) *Module` or `method (*Host) Get(context.Context, string) ([]byte,
// error)`. Parameter names are left out (callers do not see them); a file that does not parse
// maps to its error.
package main

import (
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

func main() {
	api := map[string][]string{}
	for _, root := range os.Args[1:] {
		err := filepath.WalkDir(root, func(path string, entry fs.DirEntry, err error) error {
			if err == nil && !entry.IsDir() && strings.HasSuffix(path, ".go") {
				api[path] = declarations(path)
			}
			return err
		})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	if err := json.NewEncoder(os.Stdout).Encode(api); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func declarations(path string) []string {
	fset := token.NewFileSet()
	file, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
	if err != nil {
		return []string{"error " + err.Error()}
	}
	out := []string{}
	for _, decl := range file.Decls {
		switch d := decl.(type) {
		case *ast.FuncDecl:
			if !d.Name.IsExported() {
				continue
			}
			signature := d.Name.Name + signatureOf(d.Type)
			if d.Recv != nil && len(d.Recv.List) == 1 {
				receiver := fieldTypes(d.Recv)
				if !ast.IsExported(strings.TrimPrefix(receiver, "*")) {
					continue
				}
				out = append(out, "method ("+receiver+") "+signature)
			} else {
				out = append(out, "func "+signature)
			}
		case *ast.GenDecl:
			for _, spec := range d.Specs {
				switch s := spec.(type) {
				case *ast.TypeSpec:
					if !s.Name.IsExported() {
						continue
					}
					alias := ""
					if s.Assign.IsValid() {
						alias = "= "
					}
					switch t := s.Type.(type) {
					case *ast.StructType:
						out = append(out, "type "+s.Name.Name+" "+alias+"struct")
						for _, field := range t.Fields.List {
							for _, name := range field.Names {
								if name.IsExported() {
									out = append(out, "field "+s.Name.Name+"."+name.Name+" "+expr(field.Type))
								}
							}
							if len(field.Names) == 0 {
								out = append(out, "embedded "+s.Name.Name+" "+expr(field.Type))
							}
						}
					case *ast.InterfaceType:
						out = append(out, "type "+s.Name.Name+" "+alias+"interface")
						for _, method := range t.Methods.List {
							for _, name := range method.Names {
								out = append(out, "interface method "+s.Name.Name+"."+name.Name+signatureOf(method.Type.(*ast.FuncType)))
							}
						}
					default:
						out = append(out, "type "+s.Name.Name+" "+alias+expr(s.Type))
					}
				case *ast.ValueSpec:
					kind := strings.ToLower(d.Tok.String())
					for _, name := range s.Names {
						if name.IsExported() {
							typ := ""
							if s.Type != nil {
								typ = " " + expr(s.Type)
							}
							out = append(out, kind+" "+name.Name+typ)
						}
					}
				}
			}
		}
	}
	return out
}

func signatureOf(f *ast.FuncType) string {
	results := fieldTypes(f.Results)
	if strings.Contains(results, ", ") {
		results = "(" + results + ")"
	}
	if results != "" {
		results = " " + results
	}
	return "(" + fieldTypes(f.Params) + ")" + results
}

// The types of a field list, one per name, without the names.
func fieldTypes(list *ast.FieldList) string {
	if list == nil {
		return ""
	}
	var parts []string
	for _, field := range list.List {
		n := len(field.Names)
		if n == 0 {
			n = 1
		}
		for i := 0; i < n; i++ {
			parts = append(parts, expr(field.Type))
		}
	}
	return strings.Join(parts, ", ")
}

// A type as written, but a function type without its parameter names.
func expr(e ast.Expr) string {
	if f, ok := e.(*ast.FuncType); ok {
		return "func" + signatureOf(f)
	}
	return types.ExprString(e)
}
