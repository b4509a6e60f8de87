#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Structure check of the ADMX and its ADML files (there is no ADMX schema
in Debian): well-formed XML; every $(string.X) and $(presentation.X) of the
ADMX resolves in every ADML, and nothing in an ADML is unused; every
presentation control refers to an element of its policy and every element
has a control; categories and supportedOn resolve; the extension id in the
registry keys and defaults is the one of the ids file.
usage: admx.py ADMX IDS-FILE ADML..."""
import json
import re
import sys
import xml.etree.ElementTree as ET

NS = "{http://schemas.microsoft.com/GroupPolicy/2006/07/PolicyDefinitions}"
CONTROLS = {"textBox", "listBox", "dropdownList", "decimalTextBox",
            "checkBox", "comboBox", "longDecimalTextBox", "multiTextBox"}
errors = []


def err(msg):
    errors.append(msg)


def refs(root, kind):
    found = set()
    for el in root.iter():
        for v in el.attrib.values():
            found.update(re.findall(r"\$\(" + kind + r"\.([A-Za-z0-9_]+)\)", v))
    return found


def main():
    admx_path, ids_path, adml_paths = sys.argv[1], sys.argv[2], sys.argv[3:]
    cid = json.load(open(ids_path))["chromium"]
    admx = ET.parse(admx_path).getroot()
    if admx.tag != NS + "policyDefinitions":
        err(f"{admx_path}: root is {admx.tag}, not policyDefinitions")
    strings, presentations = refs(admx, "string"), refs(admx, "presentation")
    cats = {c.get("name") for c in admx.iter(NS + "category")}
    sup = {d.get("name") for d in admx.iter(NS + "definition")}
    for pc in admx.iter(NS + "parentCategory"):
        if pc.get("ref") not in cats:
            err(f"{admx_path}: parentCategory '{pc.get('ref')}' undefined")
    for so in admx.iter(NS + "supportedOn"):
        if so.get("ref") is not None and so.get("ref") not in sup:
            err(f"{admx_path}: supportedOn '{so.get('ref')}' undefined")
    policies = list(admx.iter(NS + "policy"))
    names = [p.get("name") for p in policies]
    if len(set(names)) != len(names):
        err(f"{admx_path}: duplicate policy names")
    element_ids = []
    for p in policies:
        if p.get("class") not in ("Machine", "User", "Both"):
            err(f"policy {p.get('name')}: class '{p.get('class')}'")
        if not p.get("key"):
            err(f"policy {p.get('name')}: no key")
        els = p.find(NS + "elements")
        element_ids += [e.get("id") for e in (els if els is not None else [])]
    if len(set(element_ids)) != len(element_ids):
        err(f"{admx_path}: duplicate element ids")
    # The extension id in every key that names one.
    for el in admx.iter():
        key = el.get("key") or ""
        m = re.search(r"\\extensions\\([^\\]+)\\policy", key)
        if m and m.group(1) != cid:
            err(f"{admx_path}: key {key}: id {m.group(1)} != {cid} ({ids_path})")
        if "3rdparty" in key and not m:
            err(f"{admx_path}: key {key}: not ...\\3rdparty\\extensions\\ID\\policy")
    min_rev = admx.find(NS + "resources").get("minRequiredRevision")
    sets = []
    for path in adml_paths:
        adml = ET.parse(path).getroot()
        if adml.tag != NS + "policyDefinitionResources":
            err(f"{path}: root is {adml.tag}")
        if float(adml.get("revision")) < float(min_rev):
            err(f"{path}: revision {adml.get('revision')} < {min_rev}")
        st = {s.get("id"): s.text for s in adml.iter(NS + "string")}
        pt = {p.get("id"): p for p in adml.iter(NS + "presentation")}
        sets.append((set(st), set(pt)))
        for s in sorted(strings - set(st)):
            err(f"{path}: string '{s}' used by the ADMX is missing")
        for s in sorted(set(st) - strings):
            err(f"{path}: string '{s}' is not used by the ADMX")
        for s, text in st.items():
            if not (text or "").strip():
                err(f"{path}: string '{s}' is empty")
        for s in sorted(presentations - set(pt)):
            err(f"{path}: presentation '{s}' is missing")
        for s in sorted(set(pt) - presentations):
            err(f"{path}: presentation '{s}' is not used by the ADMX")
        for p in policies:
            pres = re.findall(r"\$\(presentation\.([A-Za-z0-9_]+)\)",
                              p.get("presentation") or "")
            els = p.find(NS + "elements")
            want = {e.get("id"): e for e in (els if els is not None else [])}
            if want and not pres:
                err(f"policy {p.get('name')}: elements but no presentation")
            if not pres or pres[0] not in pt:
                continue
            ctl = {c.get("refId"): c for c in pt[pres[0]]
                   if c.tag[len(NS):] in CONTROLS}
            for i in sorted(set(want) - set(ctl)):
                err(f"{path}: presentation {pres[0]}: no control for {i}")
            for i in sorted(set(ctl) - set(want)):
                err(f"{path}: presentation {pres[0]}: refId {i} is not an "
                    f"element of policy {p.get('name')}")
            for i, c in ctl.items():
                e = want.get(i)
                if e is None:
                    continue
                kind = (e.tag[len(NS):], c.tag[len(NS):])
                if kind not in {("text", "textBox"), ("list", "listBox"),
                                ("enum", "dropdownList"),
                                ("decimal", "decimalTextBox"),
                                ("boolean", "checkBox"),
                                ("multiText", "multiTextBox")}:
                    err(f"{path}: {i}: element {kind[0]} shown as {kind[1]}")
                if kind[0] == "enum" and c.get("defaultItem") is not None and \
                        int(c.get("defaultItem")) >= len(e.findall(NS + "item")):
                    err(f"{path}: {i}: defaultItem out of range")
                d = c.find(NS + "defaultValue")
                if d is not None and "ForceInstall" in i and \
                        not (d.text or "").startswith(cid + ";"):
                    err(f"{path}: {i}: default '{d.text}' is not '{cid};URL'")
    for i, (s, p) in enumerate(sets[1:], 1):
        if (s, p) != sets[0]:
            err(f"{adml_paths[i]} and {adml_paths[0]} define different ids")
    for e in errors:
        print("FAIL:", e, file=sys.stderr)
    print(f"admx.py: {len(policies)} policies, {len(strings)} strings, "
          f"{len(presentations)} presentations, {len(adml_paths)} languages; "
          f"{len(errors)} problems")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
