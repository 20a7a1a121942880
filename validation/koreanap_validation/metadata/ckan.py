"""A CKAN dataset (the catalogue's ckanext-scheming fields) as a DCAT record.

``dataset_to_record`` is the CKAN counterpart of
:func:`.dcat.descriptor_to_record`: the same record, so
:func:`.dcat.record_to_graph` writes a catalogue dataset and a data package
the same way, and the same SHACL shapes and score apply to both. The CKAN
RDF profile (``ckanext.koreanap.dcat``) and the metadata score of a
published dataset use it.

Field names are those of ``ckanext/koreanap/schemas/dataset.yaml``:
``title``/``title_en``, ``notes``/``notes_en``, ``contact_name``(``_en``),
``contact_email``, ``update_cycle`` (EU frequency codes), ``license_id``
(``KOGL-Type-1`` ...), ``spatial_coverage``, ``temporal_start``/``_end``,
``tags``, ``data_status`` (dataset and resource; a resource without one has
its dataset's), ``lead_agency``(``_en``). The publisher is the owning
organization, unless the dataset's data package declares another
(``koreanap:publisher``): data this catalogue generated or transcribed is
published by the catalogue's project, not by the agency whose organization
it is filed under (that agency is ``knap:leadAgency``). Properties of the
data package that have no field of their own (``created``,
``koreanap:themes``, the publisher's and lead agency's names and type) are
read from ``datapackage_extra``, where ``koreanap publish`` keeps them. The
contact point's ``vcard:hasURL`` is the channel the caller gives (the
catalogue's error-report page of the dataset).
"""
from __future__ import annotations

import json
import re
from typing import Any

from .dcat import (
    COUNTRY,
    agent_type,
    checksum_of,
    classification_list,
    concept_iri,
    flag,
    language_of,
    licence_of_entry,
    split_languages,
    split_sentences,
    themes,
)

_ACCESS_PUBLIC = "PUBLIC"
_ACCESS_RESTRICTED = "RESTRICTED"


def _texts(korean: Any, english: Any) -> dict[str, str]:
    """``{"ko": ..., "en": ...}`` from a Korean and an English field.

    A "Korean" field holding only Latin text counts as English when no
    English field is given (a dataset without Korean text keeps its title).
    """
    out: dict[str, str] = {}
    korean = str(korean or "").strip()
    english = str(english or "").strip()
    if korean:
        out["ko" if english or language_of(korean) == "ko" else language_of(korean)] = korean
    if english:
        out["en"] = english
    return out


_PARENTHESIS = re.compile(r"^(?P<first>[^()]+?)\s*\((?P<second>[^()]+)\)$")


def _agent_names(title: str | None) -> dict[str, str]:
    """Names by language of an organization title: "식품의약품안전처 / Ministry of
    Food and Drug Safety" or "식품의약품안전처 (Ministry of Food and Drug Safety)"."""
    if not title:
        return {}
    title = title.strip()
    match = _PARENTHESIS.match(title)
    if match and language_of(match["first"]) != language_of(match["second"]):
        return {language_of(match[part]): match[part].strip() for part in ("first", "second")}
    return split_languages(title, " / ") or {language_of(title): title}


def _extra(dataset: dict) -> dict:
    """The data package properties kept in ``datapackage_extra`` (JSON text)."""
    extra = dataset.get("datapackage_extra")
    if isinstance(extra, str):
        try:
            extra = json.loads(extra) if extra.strip() else {}
        except ValueError:
            return {}
    return extra if isinstance(extra, dict) else {}


def _declared(extra: dict, key: str) -> tuple[dict, dict]:
    """A data package agent (``koreanap:publisher`` …) and its names by language."""
    declared = extra.get(key)
    declared = declared if isinstance(declared, dict) else {}
    names = declared.get("name") if isinstance(declared.get("name"), dict) else {}
    return declared, {lang: str(n).strip() for lang, n in names.items() if str(n or "").strip()}


def _publisher(dataset: dict, extra: dict, organization_uri: str | None) -> dict | None:
    """The owning organization, named as its data package names it when that
    package's publisher is this organization (the title is one string); the
    package's declared publisher when it is someone else."""
    organization = dataset.get("organization") or {}
    title = organization.get("title") or organization.get("name") or ""
    declared, declared_names = _declared(extra, "koreanap:publisher")
    same = bool(declared_names) and any(n in title for n in declared_names.values())
    if declared_names and not same:
        return {"names": declared_names, "uri": declared.get("uri") or declared.get("url"),
                "email": None, "type": agent_type(declared.get("type"))}
    if not organization:
        return None
    names = _agent_names(title)
    if same:
        names = declared_names
    return {
        "names": names,
        "uri": organization_uri,
        "email": None,
        "type": agent_type(declared.get("type")) if same else None,
    }


def _lead_agency(dataset: dict, extra: dict) -> dict | None:
    """The commitment's lead agency: the dataset's fields, the type from its package."""
    declared, names = _declared(extra, "koreanap:leadAgency")
    fields = _texts(dataset.get("lead_agency"), dataset.get("lead_agency_en"))
    if not (fields or names):
        return None
    return {"names": fields or names, "uri": None, "email": None,
            "type": agent_type(declared.get("type"))}


def _distribution(resource: dict, licence: dict | None, status: str | None = None,
                  rights: dict | None = None) -> dict:
    url = resource.get("url") or None
    fmt = (resource.get("format") or "").strip().lower() or None
    size = resource.get("size")
    name, name_en = resource.get("name"), resource.get("name_en")
    description = resource.get("description")
    return {
        "id": resource.get("id") or resource.get("name"),
        "title": _texts(name, name_en) if name_en else split_languages(name, " / "),
        "description": (_texts(description, resource.get("description_en"))
                        if resource.get("description_en") else split_sentences(description)),
        "format": fmt,
        "media_type": resource.get("mimetype") or None,
        "download_url": url,
        "access_url": resource.get("access_url") or url,
        "byte_size": int(size) if str(size or "").isdigit() else None,
        "checksum": checksum_of(resource.get("hash")),
        "licence": licence,
        "rights": resource.get("rights") or rights or None,
        "data_status": resource.get("data_status") or status,
    }


def dataset_to_record(dataset: dict, dataset_uri: str, *,
                      organization_uri: str | None = None,
                      contact_url: str | None = None) -> dict:
    """The record of a CKAN dataset dict (``package_show`` output).

    :param dataset: the dataset dict, with its ``organization`` and ``resources``
    :param dataset_uri: the dataset's IRI (e.g. its page, as ckanext-dcat names it)
    :param organization_uri: the publisher's IRI (e.g. the organization page)
    :param contact_url: a web channel for the contact point (the dataset's
        error-report page)
    """
    extra = _extra(dataset)
    licence = licence_of_entry({"name": dataset.get("license_id"),
                        "title": dataset.get("license_title"),
                        "path": dataset.get("license_url")}) \
        if dataset.get("license_id") else None
    keywords: dict[str, list[str]] = {}
    for tag in dataset.get("tags") or []:
        word = str(tag.get("display_name") or tag.get("name") or "").strip()
        if word:
            keywords.setdefault(language_of(word), []).append(word)
    cycle = dataset.get("update_cycle")
    spatial = dataset.get("spatial_coverage")
    if isinstance(spatial, str) and spatial.strip().upper() in ("KR", "KOR"):
        spatial = str(COUNTRY.KOR)
    temporal = {key: dataset.get(f"temporal_{key}") for key in ("start", "end")
                if dataset.get(f"temporal_{key}")}
    contact_names = _texts(dataset.get("contact_name"), dataset.get("contact_name_en"))
    access = _ACCESS_RESTRICTED if dataset.get("private") else _ACCESS_PUBLIC
    rights = _texts(dataset.get("rights"), dataset.get("rights_en")) or None
    division = _texts(dataset.get("lead_division"), dataset.get("lead_division_en"))
    classification = dataset.get("classification")
    if isinstance(classification, str):
        classification = [c for c in re.split(r"\s*;\s*", classification) if c]
    return {
        "id": dataset.get("name") or dataset.get("id"),
        "uri": dataset_uri,
        "title": _texts(dataset.get("title"), dataset.get("title_en")),
        "description": _texts(dataset.get("notes"), dataset.get("notes_en")),
        "keywords": keywords,
        "publisher": _publisher(dataset, extra, organization_uri),
        "lead_agency": _lead_agency(dataset, extra),
        "data_status": dataset.get("data_status"),
        "contact_point": {
            "names": contact_names,
            "uri": contact_url,
            "email": dataset.get("contact_email"),
        } if dataset.get("contact_email") or contact_names or contact_url else None,
        "licence": licence,
        "update_cycle": {
            "value": cycle,
            "uri": concept_iri("frequencies.ttl", cycle) or str(cycle),
        } if cycle else None,
        "themes": themes(dataset.get("theme") or extra.get("koreanap:themes")),
        "spatial": spatial or None,
        "temporal": temporal or None,
        "access_rights": {"value": access, "uri": concept_iri("access-rights.ttl", access)
                          or access},
        # when the data was issued (the package's own date), never when this
        # catalogue loaded it (metadata_created); left out when unknown
        "issued": dataset.get("issued") or extra.get("koreanap:issued") or extra.get("created"),
        "modified": dataset.get("metadata_modified"),
        "version": dataset.get("version"),
        # data.go.kr's file-data fields (schemas/dataset.yaml, in its order)
        "classification": classification_list(classification),
        "division": {"names": division, "phone": dataset.get("division_phone")}
        if division else None,
        "legal_basis": dataset.get("legal_basis") or None,
        "collection_method": dataset.get("collection_method") or None,
        "next_update": dataset.get("next_update_date") or None,
        "limitations": _texts(dataset.get("data_limitations"),
                              dataset.get("data_limitations_en")),
        "fee": dataset.get("fee") or None,
        "national_priority": flag(dataset.get("national_priority")),
        "standard_data": flag(dataset.get("standard_data")),
        "distributions": [_distribution(r, licence, dataset.get("data_status"), rights)
                          for r in dataset.get("resources") or []],
    }
