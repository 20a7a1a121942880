"""DCAT RDF for a dataset, in two steps.

1. ``descriptor_to_record`` reads a Frictionless ``datapackage.json``
   descriptor into a plain *record* dict (languages split, licence and update
   cycle looked up in the shipped vocabularies). A CKAN dataset dict will get
   its own ``*_to_record`` later; everything after the record is shared.
2. ``record_to_graph`` writes the record as DCAT-AP 3 RDF (an rdflib Graph).

Korean fields the Frictionless spec has no name for are read from
``koreanap:`` properties of the descriptor (see README.md in this folder).
Whether data is official, transcribed or a generated sample
(``koreanap:dataStatus``, a resource without one has its package's) is
written as ``knap:dataStatus`` on the dataset and on each distribution, a
concept of ``vocabularies/data-statuses.ttl``; the agency leading the
commitment (``koreanap:leadAgency``) as ``knap:leadAgency``, apart from
``dct:publisher``.
"""
from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from urllib.parse import quote

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS, SKOS, XSD

HERE = Path(__file__).resolve().parent
VOCAB_DIR = HERE / "vocabularies"

VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
KNAP = Namespace("urn:koreanap:ns:")
FREQ = Namespace("http://publications.europa.eu/resource/authority/frequency/")
ACCESS = Namespace("http://publications.europa.eu/resource/authority/access-right/")
COUNTRY = Namespace("http://publications.europa.eu/resource/authority/country/")
THEME = Namespace("http://publications.europa.eu/resource/authority/data-theme/")
LANGUAGE = Namespace("http://publications.europa.eu/resource/authority/language/")
DCATAP = Namespace("http://data.europa.eu/r5r/")
PUBLISHER_TYPE = Namespace("http://purl.org/adms/publishertype/")

PREFIXES = {
    "dcat": DCAT, "dct": DCTERMS, "foaf": FOAF, "vcard": VCARD, "spdx": SPDX,
    "skos": SKOS, "xsd": XSD, "knap": KNAP, "dcatap": DCATAP,
}

_HANGUL = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3]")
_LATIN = re.compile(r"[A-Za-z]")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$")
# hex digits of each digest: a checksum names the algorithm its length fits
_HASH_ALGORITHMS = {"md5": 32, "sha1": 40, "sha224": 56, "sha256": 64, "sha384": 96,
                    "sha512": 128}
_HEX = re.compile(r"^[0-9a-f]+$")


def language_of(text: str) -> str:
    """``"ko"`` when Hangul carries the text, else ``"en"``.

    One Hangul syllable stands for about three Latin letters, so a Korean
    paragraph with a few English words stays Korean and an English paragraph
    naming 첨성대 stays English.
    """
    hangul = len(_HANGUL.findall(text))
    latin = len(_LATIN.findall(text))
    return "ko" if hangul and hangul * 3 >= latin else "en"


def split_sentences(text: str | None) -> dict[str, str]:
    """Group a text's sentences by language: ``{"en": ..., "ko": ...}``.

    A description written in English with a Korean sentence in it (or the
    other way round) becomes one literal per language; a text in one language
    stays whole.
    """
    text = str(text or "").strip()
    if not text:
        return {}
    out: dict[str, list[str]] = {}
    for paragraph in re.split(r"\n\s*\n", text):
        for sentence in re.split(r"(?<=[.!?])\s+", paragraph.strip()):
            if sentence:
                out.setdefault(language_of(sentence), []).append(sentence)
    if len(out) < 2:
        return {language_of(text): text}
    return {lang: " ".join(parts) for lang, parts in out.items()}


def _split_languages(text: str | None, separator: str) -> dict[str, str]:
    """Split bilingual text at ``separator`` and group the parts by language."""
    out: dict[str, list[str]] = {}
    for part in (text or "").split(separator):
        part = part.strip()
        if part:
            out.setdefault(language_of(part), []).append(part)
    joiner = " / " if separator == " / " else "\n\n"
    return {lang: joiner.join(parts) for lang, parts in out.items()}


def _multilingual(descriptor: dict, key: str, separator: str) -> dict[str, str]:
    """``{lang: text}`` from ``koreanap:<key>``, ``<key>_ko``/``<key>_en`` or a split ``<key>``."""
    explicit = descriptor.get(f"koreanap:{key}")
    if isinstance(explicit, dict):
        return {lang: str(v).strip() for lang, v in explicit.items() if str(v or "").strip()}
    out = {
        lang: str(descriptor[f"{key}_{lang}"]).strip()
        for lang in ("ko", "en")
        if str(descriptor.get(f"{key}_{lang}") or "").strip()
    }
    if out:
        return out
    return _split_languages(descriptor.get(key), separator)


# ---------------------------------------------------------------- vocabularies


@cache
def _vocabulary(name: str) -> Graph:
    graph = Graph()
    graph.parse(VOCAB_DIR / name, format="turtle")
    return graph


def vocabulary_graph() -> Graph:
    """All shipped SKOS vocabularies in one graph (for pyshacl's ``ont_graph``)."""
    graph = Graph()
    for name in ("kogl-licences.ttl", "frequencies.ttl", "access-rights.ttl",
                 "data-statuses.ttl"):
        graph += _vocabulary(name)
    return graph


def _labels(iri) -> list[Literal]:
    """``skos:prefLabel`` of a concept in any shipped vocabulary."""
    for name in ("data-themes.ttl", "adms-types.ttl", "languages.ttl", "frequencies.ttl",
                 "access-rights.ttl", "kogl-licences.ttl", "data-statuses.ttl"):
        found = list(_vocabulary(name).objects(URIRef(str(iri)), SKOS.prefLabel))
        if found:
            return found
    return []


def concepts(name: str) -> dict[str, URIRef]:
    """Lower-cased notation and labels -> concept IRI of one vocabulary file."""
    graph = _vocabulary(name)
    out: dict[str, URIRef] = {}
    for concept in set(graph.subjects(SKOS.inScheme, None)):
        out[str(concept).lower()] = concept
        for prop in (SKOS.notation, SKOS.prefLabel, SKOS.altLabel):
            for label in graph.objects(concept, prop):
                out[str(label).strip().lower()] = concept
    return out


@cache
def formats() -> dict:
    return json.loads((VOCAB_DIR / "formats.json").read_text(encoding="utf-8"))


def _lookup(name: str, value) -> str | None:
    if value is None:
        return None
    found = concepts(name).get(str(value).strip().lower())
    return str(found) if found else None


# ---------------------------------------------------------------- descriptor -> record


def _agent(value) -> dict | None:
    if not value:
        return None
    if isinstance(value, str):
        value = {"name": value}
    name = value.get("name") or value.get("title")
    names = name if isinstance(name, dict) else ({language_of(name): name} if name else {})
    return {
        "names": {k: v for k, v in names.items() if v},
        "uri": value.get("uri") or value.get("url") or value.get("path"),
        "email": value.get("email"),
        "type": agent_type(value.get("type")),
    }


def agent_type(value) -> str | None:
    """An ADMS publisher-type IRI for ``NationalAuthority`` (or the IRI itself)."""
    if not value:
        return None
    return _lookup("adms-types.ttl", value) or (
        str(value) if str(value).startswith(str(PUBLISHER_TYPE)) else None)


def themes(values) -> list[str]:
    """EU data-theme IRIs for codes (``HEAL``) or IRIs; unknown codes are dropped."""
    if isinstance(values, str):
        values = [v for v in re.split(r"[,\s]+", values) if v]
    return [found for found in (_lookup("data-themes.ttl", v) for v in values or ()) if found]


def _contributor(descriptor: dict, roles: tuple[str, ...], need_email: bool) -> dict | None:
    for person in descriptor.get("contributors") or []:
        role = str(person.get("role") or "").lower()
        found_roles = [role] + [str(r).lower() for r in person.get("roles") or []]
        if any(r in roles for r in found_roles) and (person.get("email") or not need_email):
            return _agent({"name": person.get("title"), "email": person.get("email"),
                           "url": person.get("path")})
    return None


def _licence(entry: dict | str | None) -> dict | None:
    if not entry:
        return None
    if isinstance(entry, str):
        entry = {"name": entry}
    uri = _lookup("kogl-licences.ttl", entry.get("name")) or _lookup(
        "kogl-licences.ttl", entry.get("path"))
    return {
        "name": entry.get("name"),
        "title": entry.get("title"),
        "uri": uri or entry.get("path"),
        "in_vocabulary": uri is not None,
    }


def _hash(value: str | None) -> dict | None:
    """``{"algorithm", "value"}`` of a ``[algorithm:]hexdigest`` checksum, or None.

    Without a prefix the algorithm is the one whose digest has that length
    (Frictionless says md5, but CKAN and our publisher store bare SHA-256).
    A prefix that contradicts the length, or a value that is not hex, gives
    None: a checksum under the wrong algorithm is worse than none.
    """
    if not value:
        return None
    algorithm, _, digest = str(value).strip().rpartition(":")
    digest = digest.lower()
    if not _HEX.match(digest):
        return None
    algorithm = algorithm.lower().replace("-", "") or next(
        (name for name, length in _HASH_ALGORITHMS.items() if length == len(digest)), "")
    if _HASH_ALGORITHMS.get(algorithm) != len(digest):
        return None
    return {"algorithm": algorithm, "value": digest}


def _resolve(path: str | None, base: str) -> str | None:
    if not path:
        return None
    if re.match(r"^[a-z][a-z0-9+.-]*://", path, re.I):
        return path
    return base + quote(path.lstrip("/"))


def data_status(value) -> str | None:
    """The data-status concept IRI of ``official``/``transcription``/``sample`` (or None)."""
    return _lookup("data-statuses.ttl", value)


def _resource_to_distribution(resource: dict, base: str, package_licence,
                              package_status=None) -> dict:
    path = resource.get("path")
    if isinstance(path, list):  # multipart resource: the first part is the download
        path = path[0] if path else None
    url = _resolve(path, base)
    fmt = resource.get("format") or (Path(path).suffix.lstrip(".") if path else None)
    own = resource.get("licenses") or []
    return {
        "id": resource.get("name"),
        "title": _split_languages(resource.get("title"), " / "),
        "description": split_sentences(resource.get("description")),
        "format": fmt.lower() if fmt else None,
        "media_type": resource.get("mediatype") or resource.get("mediaType"),
        "download_url": url,
        "access_url": resource.get("koreanap:accessURL") or url,
        "byte_size": resource.get("bytes"),
        "checksum": _hash(resource.get("hash")),
        "licence": _licence(own[0]) if own else package_licence,
        "rights": resource.get("koreanap:rights"),
        "data_status": resource.get("koreanap:dataStatus") or package_status,
    }


def descriptor_to_record(descriptor: dict, dataset_uri: str | None = None) -> dict:
    """The plain record of a Frictionless data package descriptor.

    ``dataset_uri`` names the dataset (e.g. its catalogue page); relative
    resource paths are resolved against it. Without it the dataset is
    ``urn:koreanap:package:<name>`` (the package is offline, it has no address yet).
    """
    name = descriptor.get("name") or "dataset"
    uri = dataset_uri or f"urn:koreanap:package:{name}"
    base = uri if uri.endswith("/") else uri + "/"
    licences = descriptor.get("licenses") or []
    licence = _licence(descriptor.get("koreanap:licence") or (licences[0] if licences else None))
    keywords: dict[str, list[str]] = {}
    for keyword in descriptor.get("keywords") or []:
        if str(keyword).strip():
            keywords.setdefault(language_of(keyword), []).append(str(keyword).strip())
    cycle = descriptor.get("koreanap:updateCycle")
    publisher = _agent(descriptor.get("koreanap:publisher")) or _contributor(
        descriptor, ("publisher",), need_email=False)
    contact = _agent(descriptor.get("koreanap:contactPoint")) or _contributor(
        descriptor, ("contact", "contactperson", "maintainer"), need_email=True)
    if contact and contact.get("uri"):  # "report-error": the page under the dataset's
        contact["uri"] = _resolve(str(contact["uri"]), base)
    status = descriptor.get("koreanap:dataStatus")
    access = descriptor.get("koreanap:accessRights")
    spatial = descriptor.get("koreanap:spatial")
    if isinstance(spatial, str) and spatial.upper() in ("KR", "KOR"):
        spatial = str(COUNTRY.KOR)
    return {
        "id": name,
        "uri": uri,
        "title": _multilingual(descriptor, "title", " / "),
        "description": _multilingual(descriptor, "description", "\n\n"),
        "keywords": keywords,
        "publisher": publisher,
        "lead_agency": _agent(descriptor.get("koreanap:leadAgency")),
        "data_status": status,
        "contact_point": contact,
        "licence": licence,
        "update_cycle": {
            "value": cycle,
            "uri": _lookup("frequencies.ttl", cycle) or (str(cycle) if cycle else None),
        } if cycle else None,
        "themes": themes(descriptor.get("koreanap:themes")),
        "spatial": spatial,
        "temporal": descriptor.get("koreanap:temporal"),
        "access_rights": {
            "value": access,
            "uri": _lookup("access-rights.ttl", access) or str(access),
        } if access else None,
        "issued": descriptor.get("koreanap:issued") or descriptor.get("created"),
        "modified": descriptor.get("koreanap:modified"),
        "version": descriptor.get("version"),
        "distributions": [
            _resource_to_distribution(r, base, licence, status)
            for r in descriptor.get("resources") or []
        ],
    }


# ---------------------------------------------------------------- record -> graph


def _iri_or_none(value) -> URIRef | None:
    if value and re.match(r"^[a-z][a-z0-9+.-]*:\S+$", str(value), re.I):
        return URIRef(str(value))
    return None


def _date(value) -> Literal | None:
    if not value:
        return None
    value = str(value)
    if _DATE.match(value):
        return Literal(value, datatype=XSD.date)
    if _DATETIME.match(value):
        return Literal(value, datatype=XSD.dateTime)
    return Literal(value)  # ill-formed: left as a plain literal for SHACL to flag


def _add_texts(graph: Graph, subject, prop, texts: dict[str, str]) -> None:
    for lang, text in texts.items():
        graph.add((subject, prop, Literal(text, lang=lang)))


def add_concept(graph: Graph, subject, prop, iri, *classes) -> URIRef:
    """``subject prop iri``, the IRI typed with ``classes`` and as a
    ``skos:Concept`` with its labels from the shipped vocabulary.

    DCAT-AP 3's range shapes need each value's class in the graph itself
    (``dct:Frequency``, ``dct:RightsStatement`` …), and its ``skos:Concept``
    shape a ``skos:prefLabel``; the EU tables are not online here to say so.
    """
    node = URIRef(str(iri))
    graph.add((subject, prop, node))
    labels = _labels(node)
    for cls in classes:
        graph.add((node, RDF.type, cls))
    if labels:
        graph.add((node, RDF.type, SKOS.Concept))
        for label in labels:
            graph.add((node, SKOS.prefLabel, label))
    return node


def _licence_types(iri) -> list:
    return list(_vocabulary("kogl-licences.ttl").objects(URIRef(str(iri)), DCTERMS.type))


def _add_licence(graph: Graph, subject, licence: dict | None) -> None:
    if not licence:
        return
    node = _iri_or_none(licence.get("uri"))
    if node is None:  # e.g. "other-open" with no address: a described licence
        node = BNode()
    graph.add((subject, DCTERMS.license, node))
    graph.add((node, RDF.type, DCTERMS.LicenseDocument))
    if licence.get("name"):
        graph.add((node, DCTERMS.identifier, Literal(licence["name"])))
    if licence.get("title") and not licence.get("in_vocabulary"):
        graph.add((node, DCTERMS.title, Literal(licence["title"],
                                                lang=language_of(licence["title"]))))
    for kind in _licence_types(node) if licence.get("in_vocabulary") else ():
        add_concept(graph, node, DCTERMS.type, kind)


def _add_agent(graph: Graph, subject, prop, agent: dict | None, kind: str) -> None:
    if not agent:
        return
    node = _iri_or_none(agent.get("uri")) if kind == "publisher" else None
    node = node or BNode()
    graph.add((subject, prop, node))
    email = agent.get("email")
    mailbox = URIRef(email if str(email).startswith("mailto:") else f"mailto:{email}") \
        if email else None
    if kind == "publisher":
        graph.add((node, RDF.type, FOAF.Agent))
        _add_texts(graph, node, FOAF.name, agent.get("names") or {})
        if mailbox:
            graph.add((node, FOAF.mbox, mailbox))
        if agent.get("type"):
            add_concept(graph, node, DCTERMS.type, agent["type"])
    else:
        graph.add((node, RDF.type, VCARD.Kind))
        _add_texts(graph, node, VCARD.fn, agent.get("names") or {})
        if mailbox:
            graph.add((node, VCARD.hasEmail, mailbox))
        url = _iri_or_none(agent.get("uri"))
        if url:
            graph.add((node, VCARD.hasURL, url))


def _add_status(graph: Graph, subject, value) -> None:
    if not value:
        return
    iri = data_status(value)
    if iri:
        add_concept(graph, subject, KNAP.dataStatus, iri)
    else:  # not one of the three: left as a literal for the shapes to name
        graph.add((subject, KNAP.dataStatus, Literal(str(value))))


def record_to_graph(record: dict) -> Graph:
    """DCAT-AP 3 RDF of a record made by ``descriptor_to_record``."""
    graph = Graph()
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    dataset = URIRef(record["uri"])
    graph.add((dataset, RDF.type, DCAT.Dataset))
    graph.add((dataset, DCTERMS.identifier, Literal(record["id"])))
    _add_texts(graph, dataset, DCTERMS.title, record.get("title") or {})
    _add_texts(graph, dataset, DCTERMS.description, record.get("description") or {})
    for lang, words in (record.get("keywords") or {}).items():
        for word in words:
            graph.add((dataset, DCAT.keyword, Literal(word, lang=lang)))
    _add_agent(graph, dataset, DCTERMS.publisher, record.get("publisher"), "publisher")
    _add_agent(graph, dataset, DCAT.contactPoint, record.get("contact_point"), "contact")
    _add_agent(graph, dataset, KNAP.leadAgency, record.get("lead_agency"), "publisher")
    _add_status(graph, dataset, record.get("data_status"))
    _add_licence(graph, dataset, record.get("licence"))
    cycle = record.get("update_cycle")
    if cycle:
        node = _iri_or_none(cycle.get("uri"))
        if node is not None:
            add_concept(graph, dataset, DCTERMS.accrualPeriodicity, node, DCTERMS.Frequency)
        else:  # not a frequency we know: left as a literal for the shapes to name
            graph.add((dataset, DCTERMS.accrualPeriodicity, Literal(str(cycle.get("value")))))
    for theme in record.get("themes") or []:
        node = _iri_or_none(theme)
        if node is not None:
            add_concept(graph, dataset, DCAT.theme, node)
        else:
            graph.add((dataset, DCAT.theme, Literal(theme)))
    spatial = record.get("spatial")
    if spatial:
        node = _iri_or_none(spatial)
        if node is None:
            node = BNode()
            graph.add((node, SKOS.prefLabel, Literal(str(spatial))))
        graph.add((node, RDF.type, DCTERMS.Location))
        graph.add((dataset, DCTERMS.spatial, node))
    temporal = record.get("temporal")
    if temporal:
        node = BNode()
        graph.add((dataset, DCTERMS.temporal, node))
        graph.add((node, RDF.type, DCTERMS.PeriodOfTime))
        for key, prop in (("start", DCAT.startDate), ("end", DCAT.endDate)):
            if temporal.get(key):
                graph.add((node, prop, _date(temporal[key])))
    access = record.get("access_rights")
    if access:
        node = _iri_or_none(access.get("uri"))
        if node is not None:
            add_concept(graph, dataset, DCTERMS.accessRights, node, DCTERMS.RightsStatement)
        else:
            graph.add((dataset, DCTERMS.accessRights, Literal(str(access.get("value")))))
    for key, prop in (("issued", DCTERMS.issued), ("modified", DCTERMS.modified)):
        if record.get(key):
            graph.add((dataset, prop, _date(record[key])))
    if record.get("version"):
        graph.add((dataset, URIRef(str(DCAT) + "version"), Literal(str(record["version"]))))

    fmt = formats()
    for index, dist in enumerate(record.get("distributions") or []):
        node = _iri_or_none(f"{record['uri']}#distribution-{quote(str(dist.get('id') or index))}")
        graph.add((dataset, DCAT.distribution, node))
        graph.add((node, RDF.type, DCAT.Distribution))
        if dist.get("id"):
            graph.add((node, DCTERMS.identifier, Literal(str(dist["id"]))))
        _add_texts(graph, node, DCTERMS.title, dist.get("title") or {})
        _add_texts(graph, node, DCTERMS.description, dist.get("description") or {})
        for key, prop in (("access_url", DCAT.accessURL), ("download_url", DCAT.downloadURL)):
            iri = _iri_or_none(dist.get(key))
            if iri is not None:
                graph.add((node, prop, iri))
        if dist.get("format"):
            code = fmt["file_types"].get(dist["format"])
            if code:
                iri = URIRef(fmt["file_type_base"] + code)
                graph.add((node, DCTERMS.format, iri))
                graph.add((iri, RDF.type, DCTERMS.MediaTypeOrExtent))
            else:  # not in the EU file-type table we ship: a described extent
                extent = BNode()
                graph.add((extent, RDF.type, DCTERMS.MediaTypeOrExtent))
                graph.add((extent, SKOS.prefLabel, Literal(dist["format"].upper())))
                graph.add((node, DCTERMS.format, extent))
        if dist.get("media_type"):
            iri = URIRef(fmt["media_type_base"] + dist["media_type"])
            graph.add((node, DCAT.mediaType, iri))
            graph.add((iri, RDF.type, DCTERMS.MediaType))
        if dist.get("byte_size") is not None:  # DCAT-AP 3.0.0 says xsd:decimal
            graph.add((node, DCAT.byteSize,
                       Literal(str(int(dist["byte_size"])), datatype=XSD.decimal)))
        checksum = dist.get("checksum")
        if checksum:
            cnode = BNode()
            graph.add((node, SPDX.checksum, cnode))
            graph.add((cnode, RDF.type, SPDX.Checksum))
            algorithm = SPDX[f"checksumAlgorithm_{checksum['algorithm']}"]
            graph.add((cnode, SPDX.algorithm, algorithm))
            graph.add((algorithm, RDF.type, SPDX.ChecksumAlgorithm))
            graph.add((cnode, SPDX.checksumValue,
                       Literal(checksum["value"], datatype=XSD.hexBinary)))
        _add_licence(graph, node, dist.get("licence"))
        _add_status(graph, node, dist.get("data_status"))
        if dist.get("rights"):
            rnode = BNode()
            graph.add((node, DCTERMS.rights, rnode))
            graph.add((rnode, RDF.type, DCTERMS.RightsStatement))
            graph.add((rnode, RDFS.label, Literal(str(dist["rights"]),
                                                 lang=language_of(str(dist["rights"])))))
    return graph


def load_descriptor(source) -> dict:
    """A descriptor from a dict, a ``datapackage.json`` path or a package folder."""
    if isinstance(source, dict):
        return source
    path = Path(source)
    if path.is_dir():
        path = path / "datapackage.json"
    return json.loads(path.read_text(encoding="utf-8"))


def descriptor_to_graph(source, dataset_uri: str | None = None) -> Graph:
    """DCAT graph of a data package (dict, ``datapackage.json`` or folder)."""
    return record_to_graph(descriptor_to_record(load_descriptor(source), dataset_uri))
