package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
)

// exactKeys checks that every object key in a JSON body is spelt exactly
// as the target's json tags are. encoding/json matches keys without
// regard to case, so {"Narrative": …} would fill narrative silently and
// {"Narrative": …, "narrative": …} would keep whichever came last; a body
// is a contract, and a key that differs only in case is reported like an
// unknown one. The body is assumed syntactically valid only after
// decoding; a syntax error here is left to the real decoder to report.
func exactKeys(body []byte, target any) error {
	var v any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return nil
	}
	f := fieldErrs{}
	walkKeys(v, reflect.TypeOf(target), "", f, 0)
	return f.err()
}

// jsonFields maps the exact json names of a struct's fields (embedded
// structs flattened) to their types.
func jsonFields(t reflect.Type, out map[string]reflect.Type) {
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		tag := sf.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if sf.Anonymous && name == "" {
			et := sf.Type
			if et.Kind() == reflect.Pointer {
				et = et.Elem()
			}
			if et.Kind() == reflect.Struct {
				jsonFields(et, out)
				continue
			}
		}
		if !sf.IsExported() {
			continue
		}
		if name == "" {
			name = sf.Name
		}
		out[name] = sf.Type
	}
}

func walkKeys(v any, t reflect.Type, path string, f fieldErrs, depth int) {
	if t == nil || depth > 32 {
		return
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Implements(reflect.TypeOf((*json.Unmarshaler)(nil)).Elem()) || reflect.PointerTo(t).Implements(reflect.TypeOf((*json.Unmarshaler)(nil)).Elem()) {
		return // decodes itself
	}
	switch x := v.(type) {
	case map[string]any:
		switch t.Kind() {
		case reflect.Struct:
			fields := map[string]reflect.Type{}
			jsonFields(t, fields)
			for k, val := range x {
				ft, ok := fields[k]
				if !ok {
					for name := range fields {
						if strings.EqualFold(name, k) {
							f.add(join(path, k), "campo desconocido; ¿quiso decir %s? (las claves distinguen mayúsculas)",
								"unknown field; did you mean %s? (keys are case-sensitive)", name)
						}
					}
					continue // a truly unknown key is the decoder's to report
				}
				walkKeys(val, ft, join(path, k), f, depth+1)
			}
		case reflect.Map:
			for k, val := range x {
				walkKeys(val, t.Elem(), join(path, k), f, depth+1)
			}
		}
	case []any:
		if t.Kind() == reflect.Slice || t.Kind() == reflect.Array {
			for i, val := range x {
				walkKeys(val, t.Elem(), fmt.Sprintf("%s[%d]", path, i), f, depth+1)
			}
		}
	}
}

func join(path, k string) string {
	if path == "" {
		return k
	}
	return path + "." + k
}
