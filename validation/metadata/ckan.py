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
``tags``; the publisher is the owning organization. Properties of the
publisher's data package that have no field of their own (``created``,
``koreanap:themes``, the publisher's names and type) are read from
``datapackage_extra``, where ``koreanap publish`` keeps them.
"""
from __future__ import annotations

import json
import re
from typing import Any

from .dcat import (
    COUNTRY,
    _hash,
    _licence,
    _lookup,
    _split_languages,
    agent_type,
    language_of,
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
    return _split_languages(title, " / ") or {language_of(title): title}


def _extra(dataset: dict) -> dict:
    """The data package properties kept in ``datapackage_extra`` (JSON text)."""
    extra = dataset.get("datapackage_extra")
    if isinstance(extra, str):
        try:
            extra = json.loads(extra) if extra.strip() else {}
        except ValueError:
            return {}
    return extra if isinstance(extra, dict) else {}


def _publisher(dataset: dict, extra: dict, organization_uri: str | None) -> dict | None:
    """The owning organization, named as its data package names it when that
    package's publisher is this organization (the title is one string)."""
    organization = dataset.get("organization") or {}
    if not organization:
        return None
    title = organization.get("title") or organization.get("name") or ""
    names = _agent_names(title)
    declared = extra.get("koreanap:publisher")
    declared = declared if isinstance(declared, dict) else {}
    declared_names = declared.get("name") if isinstance(declared.get("name"), dict) else {}
    same = bool(declared_names) and any(
        str(n).strip() and str(n).strip() in title for n in declared_names.values())
    if same:
        names = {lang: str(n).strip() for lang, n in declared_names.items() if str(n).strip()}
    return {
        "names": names,
        "uri": organization_uri,
        "email": None,
        "type": agent_type(declared.get("type")) if same else None,
    }


def _distribution(resource: dict, licence: dict | None) -> dict:
    url = resource.get("url") or None
    fmt = (resource.get("format") or "").strip().lower() or None
    size = resource.get("size")
    name, name_en = resource.get("name"), resource.get("name_en")
    description = resource.get("description")
    return {
        "id": resource.get("id") or resource.get("name"),
        "title": _texts(name, name_en) if name_en else _split_languages(name, " / "),
        "description": (_texts(description, resource.get("description_en"))
                        if resource.get("description_en") else split_sentences(description)),
        "format": fmt,
        "media_type": resource.get("mimetype") or None,
        "download_url": url,
        "access_url": resource.get("access_url") or url,
        "byte_size": int(size) if str(size or "").isdigit() else None,
        "checksum": _hash(resource.get("hash")),
        "licence": licence,
        "rights": resource.get("rights") or None,
    }


def dataset_to_record(dataset: dict, dataset_uri: str, *,
                      organization_uri: str | None = None) -> dict:
    """The record of a CKAN dataset dict (``package_show`` output).

    :param dataset: the dataset dict, with its ``organization`` and ``resources``
    :param dataset_uri: the dataset's IRI (e.g. its page, as ckanext-dcat names it)
    :param organization_uri: the publisher's IRI (e.g. the organization page)
    """
    extra = _extra(dataset)
    licence = _licence({"name": dataset.get("license_id"),
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
    return {
        "id": dataset.get("name") or dataset.get("id"),
        "uri": dataset_uri,
        "title": _texts(dataset.get("title"), dataset.get("title_en")),
        "description": _texts(dataset.get("notes"), dataset.get("notes_en")),
        "keywords": keywords,
        "publisher": _publisher(dataset, extra, organization_uri),
        "contact_point": {
            "names": contact_names,
            "uri": None,
            "email": dataset.get("contact_email"),
        } if dataset.get("contact_email") or contact_names else None,
        "licence": licence,
        "update_cycle": {
            "value": cycle,
            "uri": _lookup("frequencies.ttl", cycle) or str(cycle),
        } if cycle else None,
        "themes": themes(dataset.get("theme") or extra.get("koreanap:themes")),
        "spatial": spatial or None,
        "temporal": temporal or None,
        "access_rights": {"value": access, "uri": _lookup("access-rights.ttl", access)
                          or access},
        # when the data was issued (the package's own date), never when this
        # catalogue loaded it (metadata_created); left out when unknown
        "issued": dataset.get("issued") or extra.get("koreanap:issued") or extra.get("created"),
        "modified": dataset.get("metadata_modified"),
        "version": dataset.get("version"),
        "distributions": [_distribution(r, licence) for r in dataset.get("resources") or []],
    }
