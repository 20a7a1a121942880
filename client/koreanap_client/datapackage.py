"""Data package descriptor <-> catalogue dataset, both ways (no ``ckan`` import).

``koreanap publish`` maps a ``datapackage.json`` onto the dataset schema
(``schemas/dataset.yaml``) with :func:`descriptor_to_dataset` and
:func:`descriptor_resource`; the catalogue's download rebuilds a descriptor
with :func:`dataset_to_descriptor`. The two are inverse on everything
publish compares, so download -> re-publish changes nothing. Descriptor
properties without a field of their own (``sources``, ``contributors``,
``created``, ``koreanap:publisher`` …) travel in ``datapackage_extra`` as JSON.

Honesty: ``koreanap:dataStatus`` (``official``, ``sample`` or
``transcription``; :data:`DATA_STATUSES`) says of the package and of each
resource whether an agency published it, this catalogue transcribed it, or
it is generated; a resource without its own has the package's
(:func:`resource_data_status`). ``koreanap:leadAgency`` is the agency that
leads the commitment, which is not the publisher of a sample: the
organization a package is filed under is its lead agency's.
"""
from __future__ import annotations

import json
import re
from typing import Any

from koreanap_validation.metadata.dcat import (
    classification_list,
    descriptor_to_record,
    flag,
    language_of,
    texts_of,
    themes,
)

# KOGL types (validation/koreanap_validation/metadata/vocabularies/kogl-licences.ttl) and the
# Creative Commons licence each corresponds to ("close to", per kogl.or.kr),
# then CC BY 4.0 and free use of public works.
LICENCES: list[dict[str, str]] = [
    {"id": "KOGL-Type-1", "ko": "공공누리 제1유형: 출처표시",
     "en": "KOGL Type 1: source indication",
     "cc": "CC BY 4.0", "url": "https://www.kogl.or.kr/info/licenseType1.do", "od": "true"},
    {"id": "KOGL-Type-2", "ko": "공공누리 제2유형: 출처표시+상업적 이용금지",
     "en": "KOGL Type 2: source indication, no commercial use", "cc": "CC BY-NC 4.0",
     "url": "https://www.kogl.or.kr/info/licenseType2.do", "od": ""},
    {"id": "KOGL-Type-3", "ko": "공공누리 제3유형: 출처표시+변경금지",
     "en": "KOGL Type 3: source indication, no derivatives", "cc": "CC BY-ND 4.0",
     "url": "https://www.kogl.or.kr/info/licenseType3.do", "od": ""},
    {"id": "KOGL-Type-4", "ko": "공공누리 제4유형: 출처표시+상업적 이용금지+변경금지",
     "en": "KOGL Type 4: source indication, no commercial use, no derivatives",
     "cc": "CC BY-NC-ND 4.0", "url": "https://www.kogl.or.kr/info/licenseType4.do", "od": ""},
    # What this catalogue can grant for its own work (KOGL is declared by public bodies).
    {"id": "CC-BY-4.0", "ko": "크리에이티브 커먼즈 저작자표시 4.0 국제",
     "en": "Creative Commons Attribution 4.0 International", "cc": "",
     "url": "https://creativecommons.org/licenses/by/4.0/", "od": "true"},
    {"id": "other-open", "ko": "기타 자유이용(공공저작물, 저작권법 제24조의2)",
     "en": "Other free use (public works, Copyright Act Art. 24-2)", "cc": "",
     "url": "", "od": "true"},
]

# The plan's lead agencies as organizations: publisher name (Korean) -> org.
AGENCIES: dict[str, dict[str, str]] = {
    "식품의약품안전처": {"name": "mfds",
                  "title": "식품의약품안전처 (Ministry of Food and Drug Safety)",
                  "en": "Ministry of Food and Drug Safety"},
    "문화재청": {"name": "cha", "title": "문화재청 (Cultural Heritage Administration)",
             "en": "Cultural Heritage Administration"},
    "행정안전부": {"name": "mois", "title": "행정안전부 (Ministry of the Interior and Safety)",
              "en": "Ministry of the Interior and Safety"},
}
# The organization of what this project publishes itself: its generated samples and its
# transcription of the plan (their koreanap:publisher), never an agency's.
PROJECT: dict[str, str] = {"name": "ckanext-koreanap",
                           "title": "ckanext-koreanap 프로젝트 (ckanext-koreanap project)",
                           "en": "ckanext-koreanap project"}
PUBLISHERS: dict[str, dict[str, str]] = {**AGENCIES, "ckanext-koreanap 프로젝트": PROJECT}
# Each of those organizations' name in Korean and in English, by its URL name: its CKAN
# title holds both ("Korean (English)"), too long for a facet or a breadcrumb.
ORGANIZATION_NAMES: dict[str, dict[str, str]] = {
    org["name"]: {"ko": ko, "en": org["en"]} for ko, org in PUBLISHERS.items()}

# A contact point's address relative to the dataset page: its error-report page.
CONTACT_PATH = "report-error"

# How official the data is; the order is from least to most official.
DATA_STATUSES = ("sample", "transcription", "official")

OGP_VALUES = {
    "access to information": "access_to_information",
    "civic participation": "civic_participation",
    "public accountability": "public_accountability",
    "technology and innovation": "technology_and_innovation",
    "technology and innovation for transparency and accountability": "technology_and_innovation",
}

# Descriptor keys mapped to fields of their own (everything else is "extra").
_DATASET_KEYS = {
    "name", "title", "title_ko", "title_en", "description", "description_ko", "description_en",
    "keywords", "version", "resources", "koreanap:title", "koreanap:description",
    "koreanap:commitment", "koreanap:division", "koreanap:ogpValues", "koreanap:updateCycle",
    "koreanap:nextUpdate", "koreanap:legalBasis", "koreanap:collectionMethod",
    "koreanap:temporal", "koreanap:spatial", "koreanap:contactPoint", "koreanap:dataStatus",
    # data.go.kr's file-data fields (schemas/dataset.yaml)
    "koreanap:themes", "koreanap:classification", "koreanap:divisionPhone",
    "koreanap:limitations", "koreanap:fee", "koreanap:rights", "koreanap:nationalPriority",
    "koreanap:standardData",
    # The catalogue keeps a dataset's rules in its own table (model.validation_rule) and
    # writes them out on export; a package's copy is not stored as a dataset field.
    "koreanap:rules",
}
_RESOURCE_KEYS = {"name", "title", "description", "koreanap:description_ko", "path", "format",
                  "schema", "koreanap:dataStatus"}
_TAG_BAD = re.compile(r"[^\w \-.]+")
_OGP_ID = re.compile(r"\bOGP (KR\d{4})\b")

def _yes_no(value: Any) -> str | None:
    """A descriptor's yes/no flag (``true``, ``"Y"`` …) as the schema's ``Y``/``N``."""
    found = flag(value)
    return None if found is None else ("Y" if found else "N")


def _theme_codes(value: Any) -> list[str] | None:
    """EU data-theme codes of ``koreanap:themes`` (codes or IRIs; unknown ones dropped)."""
    codes = [iri.rstrip("/").rsplit("/", 1)[-1] for iri in themes(value)]
    return sorted(set(codes)) or None


def canonical_json(value: Any) -> str:
    """JSON text that is equal for equal values (sorted keys, Korean kept readable)."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def tag_name(keyword: str) -> str | None:
    """A CKAN tag for a keyword: characters CKAN refuses become spaces (``기준·규격`` ->
    ``기준 규격``); None when fewer than two characters are left."""
    text = " ".join(_TAG_BAD.sub(" ", str(keyword)).split())[:100]
    return text if len(text) >= 2 else None


def commitments(package: str | None = None) -> tuple[dict[str, str], ...]:
    """The plan's commitments with an OGP id, from its data package (:mod:`.planpackage`
    finds it; ``package`` as configured there); empty when there is no plan to read."""
    from .planpackage import PlanUnavailable, table

    try:
        return tuple(row for row in table("commitments", package) if row.get("ogp_id"))
    except PlanUnavailable:
        return ()


def commitment(ogp_id: str, package: str | None = None) -> dict[str, str] | None:
    """The commitment row with this OGP id, or None."""
    return next((c for c in commitments(package) if c["ogp_id"] == ogp_id), None)


# The plan prints each commitment's OGP values in its own words ("Enhancing
# Transparency", "Governance through new technologies" …): matched by stem.
_OGP_STEMS = (
    ("transparen", "access_to_information"), ("access", "access_to_information"),
    ("participat", "civic_participation"), ("accountab", "public_accountability"),
    ("technolog", "technology_and_innovation"), ("innovation", "technology_and_innovation"),
)


def ogp_values_of(text: str) -> list[str]:
    """Choice values for an OGP values text such as ``"Transparency; Citizen Participation"``."""
    found = []
    for part in re.split(r"[;,/]", text or ""):
        words = " ".join(part.lower().split())
        value = OGP_VALUES.get(words)
        hits = [value] if value else [v for stem, v in _OGP_STEMS if stem in words]
        for hit in hits:
            if hit not in found:
                found.append(hit)
    return found


def resource_data_status(resource: dict, dataset: dict) -> str | None:
    """A resource's data status: its own, else its dataset's (catalogue or descriptor dicts)."""
    own = resource.get("data_status") or resource.get("koreanap:dataStatus")
    return own or dataset.get("data_status") or dataset.get("koreanap:dataStatus") or None


def _names(agent: Any) -> dict[str, str]:
    names = (agent.get("name") if isinstance(agent, dict) else agent) or {}
    if isinstance(names, str):
        names = {language_of(names): names}
    return {k: str(v) for k, v in names.items() if v} if isinstance(names, dict) else {}


def organization_for(descriptor: dict) -> dict[str, str] | None:
    """The organization (``name``, ``title``) a package is filed under, or None.

    It is the package's publisher (``koreanap:publisher``), who publishes the data: an
    agency for its own data, this project (:data:`PROJECT`) for its samples and
    transcriptions. The commitment's lead agency (``koreanap:leadAgency``) is a field of
    the dataset, and the organization only of a package that names no publisher. A
    publisher this catalogue does not know gives None (the caller must name one).
    """
    agent = descriptor.get("koreanap:publisher") or descriptor.get("koreanap:leadAgency") or {}
    if isinstance(agent, dict) and agent.get("id"):
        return {"name": str(agent["id"]), "title": _agent_title(agent)}
    names = (agent.get("name") if isinstance(agent, dict) else agent) or {}
    ko = names.get("ko") if isinstance(names, dict) else names
    if not isinstance(ko, str) or ko not in PUBLISHERS:
        return None
    return {key: PUBLISHERS[ko][key] for key in ("name", "title")}


def _agent_title(agent: dict) -> str:
    names = agent.get("name") or {}
    if isinstance(names, dict):
        ko, en = names.get("ko"), names.get("en")
        return "{} ({})".format(ko, en) if ko and en else (ko or en or agent["id"])
    return str(names or agent["id"])


def _commitment_of(descriptor: dict) -> str | None:
    explicit = descriptor.get("koreanap:commitment")
    if explicit:
        return str(explicit)
    found = {m for s in descriptor.get("sources") or [] for m in _OGP_ID.findall(
        str(s.get("title", "")) if isinstance(s, dict) else str(s))}
    return found.pop() if len(found) == 1 else None


def descriptor_to_dataset(descriptor: dict, owner_org: str | None = None) -> dict[str, Any]:
    """The dataset fields (no resources) for a data package descriptor.

    :param descriptor: the ``datapackage.json`` as a dict
    :param owner_org: the organization's name
    :returns: the dataset fields publish sets and compares (None where unknown)
    """
    record = descriptor_to_record(descriptor)
    title, notes = record["title"], record["description"]
    contact = descriptor.get("koreanap:contactPoint") or {}
    contact_names = contact.get("name") if isinstance(contact, dict) else contact
    if isinstance(contact_names, str):
        contact_names = {language_of(contact_names): contact_names}
    temporal = descriptor.get("koreanap:temporal") or {}
    licences = descriptor.get("licenses") or []
    licence = licences[0].get("name") if licences and isinstance(licences[0], dict) else None
    values = descriptor.get("koreanap:ogpValues")
    if isinstance(values, str):
        values = ogp_values_of(values)
    # Left out, the division and OGP values are the commitment's (commitments package).
    plan = commitment(_commitment_of(descriptor) or "") or {}
    if not values and plan:
        values = ogp_values_of(plan.get("ogp_values", ""))
    extra = {k: v for k, v in descriptor.items() if k not in _DATASET_KEYS}
    tags = sorted({t for t in (tag_name(k) for k in descriptor.get("keywords") or []) if t})
    lead = _names(descriptor.get("koreanap:leadAgency"))
    limitations = texts_of(descriptor.get("koreanap:limitations"))
    rights = texts_of(descriptor.get("koreanap:rights"))
    classification = classification_list(descriptor.get("koreanap:classification"))
    return {
        "name": descriptor.get("name"),
        "title": title.get("ko") or title.get("en") or descriptor.get("name"),
        "title_en": title.get("en") if title.get("ko") else None,
        "notes": notes.get("ko") or notes.get("en"),
        "notes_en": notes.get("en") if notes.get("ko") else None,
        "data_status": descriptor.get("koreanap:dataStatus"),
        "commitment": _commitment_of(descriptor),
        "lead_agency": lead.get("ko") or lead.get("en"),
        "lead_agency_en": lead.get("en") if lead.get("ko") else None,
        "lead_division": descriptor.get("koreanap:division") or plan.get("lead_division"),
        "ogp_values": sorted(values) if values else None,
        "update_cycle": descriptor.get("koreanap:updateCycle"),
        "next_update_date": descriptor.get("koreanap:nextUpdate"),
        "legal_basis": descriptor.get("koreanap:legalBasis"),
        "collection_method": descriptor.get("koreanap:collectionMethod"),
        "temporal_start": temporal.get("start") if isinstance(temporal, dict) else None,
        "temporal_end": temporal.get("end") if isinstance(temporal, dict) else None,
        "spatial_coverage": descriptor.get("koreanap:spatial"),
        "license_id": licence,
        "contact_name": (contact_names or {}).get("ko") or (contact_names or {}).get("en"),
        "contact_name_en": (contact_names or {}).get("en") if (contact_names or {}).get("ko")
        else None,
        "contact_email": contact.get("email") if isinstance(contact, dict) else None,
        "version": descriptor.get("version"),
        # data.go.kr's file-data fields
        "theme": _theme_codes(descriptor.get("koreanap:themes")),
        "classification": "; ".join(classification) or None,
        "division_phone": descriptor.get("koreanap:divisionPhone"),
        "data_limitations": limitations.get("ko") or limitations.get("en"),
        "data_limitations_en": limitations.get("en") if limitations.get("ko") else None,
        "fee": descriptor.get("koreanap:fee"),
        "rights": rights.get("ko") or rights.get("en"),
        "rights_en": rights.get("en") if rights.get("ko") else None,
        "national_priority": _yes_no(descriptor.get("koreanap:nationalPriority")),
        "standard_data": _yes_no(descriptor.get("koreanap:standardData")),
        "datapackage_extra": canonical_json(extra) if extra else None,
        "tags": [{"name": t} for t in tags],
        "owner_org": owner_org,
    }


def descriptor_resource(resource: dict) -> dict[str, Any]:
    """The catalogue resource fields (no file) for a descriptor's resource."""
    extra = {k: v for k, v in resource.items() if k not in _RESOURCE_KEYS}
    schema = resource.get("schema")
    # A bilingual pair as the dataset's notes / notes_en: the Korean text, then the English.
    english, korean = resource.get("description"), resource.get("koreanap:description_ko")
    return {
        "name": resource.get("title") or resource.get("name"),
        "description": korean or english,
        "description_en": english if korean else None,
        "format": str(resource.get("format") or "").upper() or None,
        "data_status": resource.get("koreanap:dataStatus"),
        "datapackage_name": resource.get("name"),
        "datapackage_path": resource.get("path") if isinstance(resource.get("path"), str)
        else None,
        "schema": canonical_json(schema) if isinstance(schema, dict) else None,
        "datapackage_extra": canonical_json(extra) if extra else None,
    }


def _json(text: Any) -> Any:
    if isinstance(text, (dict, list)):
        return text
    try:
        return json.loads(text) if text else None
    except ValueError:
        return None


def dataset_to_descriptor(dataset: dict, resource_path=None,
                          rules: list[dict] | None = None) -> dict[str, Any]:
    """A ``datapackage.json`` dict rebuilt from a catalogue dataset (``package_show``).

    :param dataset: the dataset dict
    :param resource_path: ``resource_path(resource) -> str`` for each resource's
        ``path`` (default: its ``datapackage_path``, else its URL)
    :param rules: the dataset's active rules (``koreanap:rules`` form): written as
        the package's ``koreanap:rules``, and each that fits its field also as Table
        Schema constraints, so any Frictionless tool applies it
    """
    extra = _json(dataset.get("datapackage_extra")) or {}
    out: dict[str, Any] = {}
    title, title_en = dataset.get("title"), dataset.get("title_en")
    out["name"] = dataset["name"]
    out["title"] = "{} / {}".format(title, title_en) if title_en else title
    if title_en:
        out["title_ko"], out["title_en"] = title, title_en
    notes = "\n\n".join(t for t in (dataset.get("notes"), dataset.get("notes_en")) if t)
    if notes:
        out["description"] = notes
    if dataset.get("version"):
        out["version"] = dataset["version"]
    keywords = sorted(t["name"] for t in dataset.get("tags") or [])
    if keywords:
        out["keywords"] = keywords
    out.update(extra)
    licence = dataset.get("license_id")
    licences = out.get("licenses") or []
    if licence and not (licences and licences[0].get("name") == licence):
        found = next((lic for lic in LICENCES if lic["id"] == licence), None)
        out["licenses"] = [{"name": licence, **({"path": found["url"], "title": found["en"]}
                                                if found and found["url"] else {})}]
    if dataset.get("lead_agency"):
        lead = dict(out.get("koreanap:leadAgency") or {})
        lead["name"] = {lang: dataset[f] for lang, f in (("ko", "lead_agency"),
                                                         ("en", "lead_agency_en"))
                        if dataset.get(f)}
        out["koreanap:leadAgency"] = lead
    simple = {"data_status": "koreanap:dataStatus", "commitment": "koreanap:commitment",
              "lead_division": "koreanap:division",
              "update_cycle": "koreanap:updateCycle", "next_update_date": "koreanap:nextUpdate",
              "legal_basis": "koreanap:legalBasis",
              "collection_method": "koreanap:collectionMethod",
              "spatial_coverage": "koreanap:spatial", "division_phone": "koreanap:divisionPhone",
              "fee": "koreanap:fee"}
    for field, key in simple.items():
        if dataset.get(field):
            out[key] = dataset[field]
    for field, key in (("national_priority", "koreanap:nationalPriority"),
                       ("standard_data", "koreanap:standardData")):
        if dataset.get(field) in ("Y", "N"):
            out[key] = dataset[field] == "Y"
    for field, key in (("data_limitations", "koreanap:limitations"),
                       ("rights", "koreanap:rights")):
        texts = {lang: dataset[f] for lang, f in (("ko", field), ("en", field + "_en"))
                 if dataset.get(f)}
        if texts:
            out[key] = texts
    theme = dataset.get("theme")
    if isinstance(theme, str):
        theme = _json(theme) or [theme]
    if theme:
        out["koreanap:themes"] = sorted(theme)
    if dataset.get("classification"):
        out["koreanap:classification"] = [
            c.strip() for c in str(dataset["classification"]).split(";") if c.strip()]
    values = dataset.get("ogp_values")
    if isinstance(values, str):
        values = _json(values) or [values]
    if values:
        out["koreanap:ogpValues"] = sorted(values)
    if dataset.get("temporal_start") or dataset.get("temporal_end"):
        out["koreanap:temporal"] = {k: dataset[f] for k, f in (("start", "temporal_start"),
                                                               ("end", "temporal_end"))
                                    if dataset.get(f)}
    if dataset.get("contact_name") or dataset.get("contact_email"):
        names = {lang: dataset[f] for lang, f in (("ko", "contact_name"),
                                                  ("en", "contact_name_en")) if dataset.get(f)}
        contact: dict[str, Any] = {}
        if names:
            contact["name"] = names
        if dataset.get("contact_email"):
            contact["email"] = dataset["contact_email"]
        else:  # the catalogue's channel: the dataset's error-report page
            contact["path"] = CONTACT_PATH
        out["koreanap:contactPoint"] = contact
    resources = []
    for resource in dataset.get("resources") or []:
        item: dict[str, Any] = dict(_json(resource.get("datapackage_extra")) or {})
        item["name"] = resource.get("datapackage_name") or _slug(resource.get("name"),
                                                                 resource["id"])
        if resource.get("name") and resource.get("name") != item["name"]:
            item["title"] = resource["name"]
        if resource.get("description_en"):
            item["description"] = resource["description_en"]
            if resource.get("description"):
                item["koreanap:description_ko"] = resource["description"]
        elif resource.get("description"):
            item["description"] = resource["description"]
        item["path"] = (resource_path(resource) if resource_path
                        else resource.get("datapackage_path") or resource.get("url"))
        if resource.get("format"):
            item["format"] = str(resource["format"]).lower()
        if resource.get("data_status"):
            item["koreanap:dataStatus"] = resource["data_status"]
        schema = _json(resource.get("schema"))
        if schema:
            item["schema"] = schema
        resources.append(item)
    out["resources"] = resources
    if rules:
        out["koreanap:rules"] = rules
        _rules_into_schemas(resources, rules)
    return out


def _rules_into_schemas(resources: list[dict], rules: list[dict]) -> None:
    """Write each rule that fits its field as Table Schema constraints (``required``,
    ``unique``; ``enum``, ``pattern`` on a string field; ``minimum``/``maximum`` on a
    number field), unless the field already has a constraint of that name."""
    from koreanap_validation.rules import SCHEMA_KINDS, schema_constraints

    by_name = {r["name"]: r for r in resources}
    for rule in rules:
        schema = (by_name.get(rule.get("resource")) or {}).get("schema")
        fields = schema.get("fields") if isinstance(schema, dict) else None
        field = next((f for f in fields or [] if isinstance(f, dict)
                      and f.get("name") == rule.get("field")), None)
        if field is None:
            continue
        wanted = schema_constraints(rule, field.get("type"))
        have = field.get("constraints") or {}
        if wanted and (rule["kind"] in SCHEMA_KINDS or not set(wanted) & set(have)):
            field["constraints"] = dict(have, **wanted)


def _slug(text: str | None, fallback: str) -> str:
    slug = re.sub(r"[^a-z0-9._-]+", "-", str(text or "").lower()).strip("-")
    return slug or fallback
