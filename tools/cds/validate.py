#!/usr/bin/env python3
# SPDX-License-Identifier: AGPL-3.0-or-later
"""Validates CDS Curbs API responses against the corrected OpenAPI schema beside this script.

    validate.py FILE...

Each FILE is a /curbs/zones response (data.zones) or a /curbs/policies response (data.policies).
Prints FILE: valid, or FILE: PATH: problem for every problem; exits 1 if any file is invalid.
"""
import json
import os
import sys

import jsonschema
import yaml

try:  # pip's openapi-schema-validator when present; Debian's python3-jsonschema (draft 2020-12) otherwise
    from openapi_schema_validator import OAS31Validator as Validator
except ImportError:
    from jsonschema import Draft202012Validator as Validator

HERE = os.path.dirname(os.path.abspath(__file__))


def inline(node, schemas):
    """The schema with every `#/components/schemas/NAME` reference replaced by its target (the copy has no cycles)."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            target = inline(schemas[ref.rsplit("/", 1)[1]], schemas)
            rest = {k: inline(v, schemas) for k, v in node.items() if k != "$ref"}
            return {"allOf": [target, rest]} if rest else target
        return {k: inline(v, schemas) for k, v in node.items()}
    if isinstance(node, list):
        return [inline(v, schemas) for v in node]
    return node


def validator_for(kind, spec):
    schemas = spec["components"]["schemas"]
    schema = inline(schemas[f"{kind}-response"], schemas)
    return Validator(schema, format_checker=jsonschema.FormatChecker())


def leaves(error):
    """The errors under a oneOf that the instance's own shape selects (an object or an array)."""
    if not error.context:
        yield error
        return
    branch = 1 if isinstance(error.instance, list) else 0
    chosen = [e for e in error.context if e.relative_schema_path and e.relative_schema_path[0] == branch]
    for sub in chosen or error.context:
        yield from leaves(sub)


def kind_of(document):
    data = document.get("data")
    parts = data if isinstance(data, list) else [data]
    if any(isinstance(p, dict) and "zones" in p for p in parts):
        return "zones"
    if any(isinstance(p, dict) and "policies" in p for p in parts):
        return "policies"
    return None


def main(paths):
    with open(os.path.join(HERE, "cds-curbs-1.0.yaml"), encoding="utf-8") as f:
        spec = yaml.safe_load(f)
    failed = False
    for path in paths:
        with open(path, encoding="utf-8") as f:
            document = json.load(f)
        kind = kind_of(document)
        if kind is None:
            print(f"{path}: data: neither zones nor policies (expected a /curbs/zones or /curbs/policies response)")
            failed = True
            continue
        found = (leaf for error in validator_for(kind, spec).iter_errors(document) for leaf in leaves(error))
        errors = sorted(found, key=lambda e: [str(p) for p in e.absolute_path])
        for error in errors:
            where = ".".join(str(p) for p in error.absolute_path) or "(document)"
            print(f"{path}: {where}: {error.message}")
        if errors:
            failed = True
        else:
            print(f"{path}: valid {kind} response")
    return 1 if failed else 0


if __name__ == "__main__":
    if len(sys.argv) < 2:
        print(__doc__.strip(), file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1:]))
