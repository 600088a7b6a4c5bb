// A stand-in for confd's renderer, for ConfdTemplateIT only: confd itself is not packaged for
// Debian and is not part of this repository. It renders a confd template with Go's text/template
// (the engine confd uses) and the handful of confd functions our template calls, implemented as
// confd 0.16 implements them (resource/template/template_funcs.go and memkv's store.go):
//
//	getenv KEY [DEFAULT]  os.Getenv, DEFAULT when empty
//	gets PATTERN          the key/value pairs whose key matches PATTERN (path.Match), sorted by key
//	json TEXT             the JSON object TEXT as map[string]interface{}, an error if it is not one
//	split S SEP           strings.Split
//
// Keys are made relative to PREFIX the way confd's -prefix does (path.Join("/", TrimPrefix)).
//
// Usage: go run render.go TEMPLATE KEYS.json PREFIX > OUT, KEYS.json an object of full key to value.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"text/template"
)

// KVPair is memkv's pair: a template reads .Key and .Value.
type KVPair struct {
	Key   string
	Value string
}

func main() {
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: render TEMPLATE KEYS.json PREFIX")
		os.Exit(2)
	}
	raw, err := os.ReadFile(os.Args[2])
	if err != nil {
		fail(err)
	}
	var full map[string]string
	if err := json.Unmarshal(raw, &full); err != nil {
		fail(err)
	}
	prefix := os.Args[3]
	store := map[string]string{}
	for k, v := range full {
		if strings.HasPrefix(k, prefix) {
			store[path.Join("/", strings.TrimPrefix(k, prefix))] = v
		}
	}
	funcs := template.FuncMap{
		"getenv": func(key string, v ...string) string {
			if value := os.Getenv(key); value != "" {
				return value
			}
			if len(v) > 0 {
				return v[0]
			}
			return ""
		},
		"gets": func(pattern string) ([]KVPair, error) {
			pairs := []KVPair{}
			for k, v := range store {
				m, err := path.Match(pattern, k)
				if err != nil {
					return nil, err
				}
				if m {
					pairs = append(pairs, KVPair{k, v})
				}
			}
			sort.Slice(pairs, func(i, j int) bool { return pairs[i].Key < pairs[j].Key })
			return pairs, nil
		},
		"json": func(data string) (map[string]interface{}, error) {
			var ret map[string]interface{}
			err := json.Unmarshal([]byte(data), &ret)
			return ret, err
		},
		"split": strings.Split,
	}
	src := os.Args[1]
	tmpl, err := template.New(filepath.Base(src)).Funcs(funcs).ParseFiles(src)
	if err != nil {
		fail(err)
	}
	if err := tmpl.Execute(os.Stdout, nil); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "render:", err)
	os.Exit(1)
}
