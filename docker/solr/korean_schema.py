"""The production Solr configset's two generated files (docker/solr/Dockerfile).

CKAN's Solr schema analyses text by whitespace and English stemming, so a
Korean word with its particle (``카드뮴은``) is one term that ``카드뮴`` never
matches. This script writes, from files it is given::

    python3 korean_schema.py CKAN_SCHEMA SYNONYMS_CSV OUT_DIR

- ``OUT_DIR/schema.xml``: CKAN's schema (CKAN_SCHEMA, the ``schema.xml`` of
  the CKAN the stack runs) with every field and dynamic field kept, plus a
  field type ``text_ko`` (Solr's Korean analyzer, Nori, then CKAN's English
  stemming; at query time the synonyms) on every field CKAN analyses as text,
  and the content field ``koreanap_content`` (content.py), copied into
  ``text`` so the default search covers it;
- ``OUT_DIR/synonyms.txt``: the synonym sets of SYNONYMS_CSV (search/synonyms.csv,
  ``|``-separated terms) in Solr's format, one set a line.

Only the standard library: it runs in the image build's first stage.
Exit codes: 0 ok, 1 invalid input (one line on stderr), 2 usage.
"""
from __future__ import annotations

import argparse
import csv
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

KOREAN_TYPE = "text_ko"
# CKAN's analysed text types: their fields get the Korean one instead.
CKAN_TEXT_TYPES = ("text", "text_general")
CONTENT_FIELD = "koreanap_content"  # content.py FIELD
SYNONYMS_FILE = "synonyms.txt"
# Solr's Korean analyzer with its defaults; the synonym filter parses its file
# with it, so a set's terms are split into the same tokens as the query.
NORI_ANALYZER = "org.apache.lucene.analysis.ko.KoreanAnalyzer"
GENERATED = ("Generated from CKAN's schema.xml by docker/solr/korean_schema.py when the Solr "
             "image is built: Korean analysis (field type text_ko) on the text fields.")


def _chain(query: bool) -> list[tuple[str, dict[str, str]]]:
    """The Korean analysis chain; the query side also expands the synonyms."""
    chain = [
        # decompoundMode "discard": a compound is indexed as its parts
        # (곰팡이독소 -> 곰팡이, 독소), so a part finds it.
        ("tokenizer", {"class": "solr.KoreanTokenizerFactory", "decompoundMode": "discard",
                       "outputUnknownUnigrams": "false"}),
        # Drops particles and endings (카드뮴은 -> 카드뮴).
        ("filter", {"class": "solr.KoreanPartOfSpeechStopFilterFactory"}),
        # Hanja to Hangul.
        ("filter", {"class": "solr.KoreanReadingFormFilterFactory"}),
        ("filter", {"class": "solr.LowerCaseFilterFactory"}),
    ]
    if query:
        # Before the stemmer: the synonyms' tokens are stemmed like the index's.
        chain.append(("filter", {"class": "solr.SynonymGraphFilterFactory",
                                 "synonyms": SYNONYMS_FILE, "ignoreCase": "true",
                                 "expand": "true", "analyzer": NORI_ANALYZER}))
    # English as CKAN's own text type has it (aflatoxins finds aflatoxin);
    # neither filter changes Hangul.
    chain += [
        ("filter", {"class": "solr.SnowballPorterFilterFactory", "language": "English",
                    "protected": "protwords.txt"}),
        ("filter", {"class": "solr.ASCIIFoldingFilterFactory"}),
    ]
    return chain


def korean_field_type() -> ET.Element:
    field_type = ET.Element("fieldType", {"name": KOREAN_TYPE, "class": "solr.TextField",
                                          "positionIncrementGap": "100"})
    for kind, query in (("index", False), ("query", True)):
        analyzer = ET.SubElement(field_type, "analyzer", {"type": kind})
        for tag, attributes in _chain(query):
            ET.SubElement(analyzer, tag, attributes)
    return field_type


def _insert_after_last(root: ET.Element, tag: str, element: ET.Element) -> None:
    """Put ``element`` after the last ``tag`` element, in the same parent (CKAN
    keeps field types in <types> and fields in <fields>)."""
    parent = next((p for p in root.iter() if p.find(tag) is not None), None)
    if parent is None:
        raise ValueError(f"the schema has no <{tag}>")
    last = max(i for i, child in enumerate(parent) if child.tag == tag)
    parent.insert(last + 1, element)


def korean_schema(ckan_schema: Path) -> str:
    """CKAN's schema with the Korean field type on its text fields and the content field."""
    text = ckan_schema.read_text(encoding="utf-8")
    parser = ET.XMLParser(target=ET.TreeBuilder(insert_comments=True))
    parser.feed(text)
    root = parser.close()
    if root.tag != "schema" or not root.get("name", "").startswith("ckan-"):
        raise ValueError(f"{ckan_schema} is not CKAN's Solr schema (root <{root.tag}>)")
    if root.find(f".//fieldType[@name='{KOREAN_TYPE}']") is not None:
        raise ValueError(f"{ckan_schema} already has a field type {KOREAN_TYPE}")
    _insert_after_last(root, "fieldType", korean_field_type())

    for field in [*root.iter("field"), *root.iter("dynamicField")]:
        if field.get("type") in CKAN_TEXT_TYPES:
            field.set("type", KOREAN_TYPE)
    text_field = root.find(".//field[@name='text']")
    if text_field is None or text_field.get("type") != KOREAN_TYPE:
        raise ValueError(f"{ckan_schema} has no text field to analyse in Korean")

    content = root.find(f".//field[@name='{CONTENT_FIELD}']")
    if content is None:
        # A list of "<table>: <text>" entries, searched, never returned.
        content = ET.Element("field", {"name": CONTENT_FIELD})
        _insert_after_last(root, "field", content)
    content.attrib.update({"type": KOREAN_TYPE, "indexed": "true", "stored": "false",
                           "multiValued": "true"})
    # CKAN's query fields (qf) name "text", not this field: copied there, a
    # plain search covers what a dataset contains, as in the embedded index.
    if root.find(f".//copyField[@source='{CONTENT_FIELD}'][@dest='text']") is None:
        _insert_after_last(root, "copyField",
                           ET.Element("copyField", {"source": CONTENT_FIELD, "dest": "text"}))
    ET.indent(root, space="    ")
    # The comments before <schema> (the licence notice of CKAN's file) are not
    # part of the element tree: they are carried over as they are.
    start = text.index("<schema")
    prolog = text[text.index("?>") + 2 if text.lstrip().startswith("<?xml") else 0:start]
    return ('<?xml version="1.0" encoding="UTF-8" ?>' + prolog.rstrip() + "\n"
            f"<!-- {GENERATED} -->\n" + ET.tostring(root, encoding="unicode") + "\n")


def synonym_sets(csv_path: Path) -> list[list[str]]:
    """The sets of search/synonyms.csv, read as search/text.py reads them."""
    with csv_path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    if rows and "terms" not in rows[0]:
        raise ValueError(f"{csv_path} has no 'terms' column")
    sets = [[t.strip() for t in (row["terms"] or "").split("|") if t.strip()] for row in rows]
    return [terms for terms in sets if terms]


def _solr_term(term: str) -> str:
    # Solr's synonym format: "," separates terms, "=>" makes a one-way mapping,
    # a line starting with "#" is a comment, "\" escapes.
    if "=>" in term or term.startswith("#"):
        raise ValueError(f"synonym term {term!r} cannot be written in Solr's format")
    return term.replace("\\", "\\\\").replace(",", "\\,")


def solr_synonyms(sets: list[list[str]], source: str) -> str:
    lines = [f"# Generated from {source} by docker/solr/korean_schema.py when the",
             "# Solr image is built: edit the CSV, not this file.",
             "# One set of equivalent terms a line (expanded at query time)."]
    lines += [", ".join(_solr_term(t) for t in terms) for terms in sets]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("ckan_schema", type=Path, help="CKAN's ckan/config/solr/schema.xml")
    parser.add_argument("synonyms_csv", type=Path, help="search/synonyms.csv")
    parser.add_argument("out_dir", type=Path, help="where schema.xml and synonyms.txt go")
    args = parser.parse_args(argv)
    try:
        schema = korean_schema(args.ckan_schema)
        synonyms = solr_synonyms(synonym_sets(args.synonyms_csv), "search/synonyms.csv")
    except (OSError, ValueError, ET.ParseError, csv.Error) as e:
        print(f"korean_schema: {e}", file=sys.stderr)
        return 1
    args.out_dir.mkdir(parents=True, exist_ok=True)
    (args.out_dir / "schema.xml").write_text(schema, encoding="utf-8")
    (args.out_dir / SYNONYMS_FILE).write_text(synonyms, encoding="utf-8")
    fields = schema.count(f'type="{KOREAN_TYPE}"')
    print(f"schema.xml: {fields} fields analysed as {KOREAN_TYPE}; "
          f"{SYNONYMS_FILE}: {synonyms.count(chr(10)) - 3} sets, in {args.out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
