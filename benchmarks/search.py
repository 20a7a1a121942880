"""Benchmark CKAN's ``package_search`` on 10,000 realistic datasets.

Loads CKAN in-process from an ini (normally ``var/bench.ini``, written by
``benchmarks/run-search``), creates the datasets once through CKAN's own
``package_create`` (or, with ``--bulk``, writes their rows in batches and
indexes them through CKAN's indexer: every search-index document is the real
one either way), then times seven kinds of ``package_search`` call as an
anonymous user and prints p50/p95/max latency against the issue's targets
(p95 < 50 ms; < 100 ms for a match on dataset content only).

The datasets are reproducible: dataset number *i* is generated from the seed
and *i* alone, so an interrupted run resumes where it stopped and a re-run
reuses what is there. ``--rebuild`` purges them first.

Exit codes: 0 measured (even when a target is missed: this is a
measurement, not a test), 1 the catalogue could not be set up, 2 usage error.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import queue
import random
import re
import secrets
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

TARGET_P95_MS = 50.0
# A match on content only (the target for it is looser).
CONTENT_KIND = "content-only match"
CONTENT_TARGET_P95_MS = 100.0
AFTER_WRITE_KIND = "facets, index just written"
BENCH_SITE_ID = "koreanap-bench"
ADMIN = "bench-admin"
NAME_RE = re.compile(r"-(\d{5,})$")  # 5 digits, 6 from 100000 on
TAG_RE = re.compile(r"^[\w .-]{2,100}$")

# -- the catalogue's shape ---------------------------------------------------

# (name, Korean title, English title)
ORGANIZATIONS = [
    ("mfds", "식품의약품안전처", "Ministry of Food and Drug Safety"),
    ("cha", "국가유산청", "Korea Heritage Service"),
    ("molit", "국토교통부", "Ministry of Land, Infrastructure and Transport"),
    ("mois", "행정안전부", "Ministry of the Interior and Safety"),
    ("me", "환경부", "Ministry of Environment"),
    ("moel", "고용노동부", "Ministry of Employment and Labor"),
    ("mohw", "보건복지부", "Ministry of Health and Welfare"),
    ("kdca", "질병관리청", "Korea Disease Control and Prevention Agency"),
    ("koroad", "도로교통공단", "Korea Road Traffic Authority"),
    ("kma", "기상청", "Korea Meteorological Administration"),
    ("nier", "국립환경과학원", "National Institute of Environmental Research"),
    ("kostat", "통계청", "Statistics Korea"),
    ("moe", "교육부", "Ministry of Education"),
    ("mafra", "농림축산식품부", "Ministry of Agriculture, Food and Rural Affairs"),
    ("mof", "해양수산부", "Ministry of Oceans and Fisheries"),
    ("motie", "산업통상자원부", "Ministry of Trade, Industry and Energy"),
    ("msit", "과학기술정보통신부", "Ministry of Science and ICT"),
    ("mcst", "문화체육관광부", "Ministry of Culture, Sports and Tourism"),
    ("knpa", "경찰청", "Korean National Police Agency"),
    ("nfa", "소방청", "National Fire Agency"),
]

GROUPS = [
    ("health", "보건·의료", "Health"),
    ("environment", "환경·기상", "Environment and weather"),
    ("safety", "재난·안전", "Disaster and safety"),
    ("culture", "문화·관광", "Culture and tourism"),
    ("transport", "교통·물류", "Transport"),
    ("food", "식품·농수산", "Food, agriculture and fisheries"),
    ("land", "국토·건축", "Land and buildings"),
    ("labour", "고용·노동", "Jobs and labour"),
    ("education", "교육", "Education"),
    ("government", "정부·행정", "Government and administration"),
]

REGIONS = [
    ("서울특별시", "Seoul"), ("부산광역시", "Busan"), ("대구광역시", "Daegu"),
    ("인천광역시", "Incheon"), ("광주광역시", "Gwangju"), ("대전광역시", "Daejeon"),
    ("울산광역시", "Ulsan"), ("세종특별자치시", "Sejong"), ("경기도", "Gyeonggi-do"),
    ("강원특별자치도", "Gangwon"), ("충청북도", "Chungcheongbuk-do"),
    ("충청남도", "Chungcheongnam-do"), ("전북특별자치도", "Jeonbuk"),
    ("전라남도", "Jeollanam-do"), ("경상북도", "Gyeongsangbuk-do"),
    ("경상남도", "Gyeongsangnam-do"), ("제주특별자치도", "Jeju"),
]

# Default CKAN licence ids, weighted towards the open ones a ministry uses.
LICENSES = ["cc-by"] * 5 + ["cc-zero"] * 2 + [
    "cc-by-sa", "odc-odbl", "odc-by", "other-open", "other-pd", "notspecified", "cc-nc"]

# update_cycle codes of the dataset schema (DCAT frequencies).
FREQUENCIES = ["ANNUAL", "QUARTERLY", "MONTHLY", "IRREG"]

TABLE_FORMATS = ["CSV", "CSV", "JSON", "XLSX"]
MODEL_FORMATS = ["STL", "PLY", "GLB"]


def _batchim(word: str) -> bool:
    """Whether the last Hangul syllable of ``word`` ends in a consonant."""
    for ch in reversed(word):
        if "\uac00" <= ch <= "\ud7a3":
            return (ord(ch) - 0xAC00) % 28 != 0
        if ch.isalnum():
            return False
    return False


def josa(word: str, pair: str) -> str:
    """``word`` with the particle of ``pair`` ("은는", "이가", "을를", "과와") attached."""
    return word + (pair[0] if _batchim(word) else pair[1])


class Topic:
    """One kind of dataset: its subjects, owners, groups, tags and formats."""

    def __init__(self, slug: str, orgs: list[str], groups: list[str], weight: int,
                 build: Callable[[random.Random], dict[str, Any]]) -> None:
        self.slug, self.orgs, self.groups, self.weight, self.build = (
            slug, orgs, groups, weight, build)


def _food_contaminants(rng: random.Random) -> dict[str, Any]:
    cont, cont_en, metal = rng.choice([
        ("카드뮴", "cadmium", True), ("납", "lead", True), ("수은", "mercury", True),
        ("비소", "arsenic", True), ("아플라톡신", "aflatoxin", False),
        ("벤조피렌", "benzo(a)pyrene", False)])
    food, food_en = rng.choice([
        ("쌀", "rice"), ("김치", "kimchi"), ("김", "laver"), ("패류", "shellfish"),
        ("밀가루", "wheat flour"), ("고춧가루", "red pepper powder"), ("참기름", "sesame oil")])
    year, (region, region_en) = rng.randint(2014, 2024), rng.choice(REGIONS)
    n, mean = rng.randint(40, 900), rng.uniform(0.001, 0.4)
    return dict(
        ko="%d년 %s 중 %s 오염도 조사" % (year, food, cont),
        en="%s in %s: contaminant survey %d" % (cont_en.capitalize(), food_en, year),
        notes_ko="%s 중 %s 시료 %d건 가운데 %d건에서 검출되었으며 평균 농도는 %.3f mg/kg입니다. "
                 "%s에서 수거한 시료를 식품 기준 및 규격에 따라 분석하였습니다."
                 % (food, josa(cont, "은는"), n, rng.randint(0, n), mean, region),
        notes_en="Levels of %s in %s sampled in %s (%d samples, mean %.3f mg/kg), "
                 "analysed against the national maximum levels for contaminants in food."
                 % (cont_en, food_en, region_en, n, mean),
        tags=[cont, cont_en, food, food_en] + (["중금속", "heavy-metals"] if metal else [])
        + ["식품안전", "food-safety", "오염물질", "contaminants"],
        formats=TABLE_FORMATS, year=year, region=region)


def _heritage_scans(rng: random.Random) -> dict[str, Any]:
    site, site_en = rng.choice([
        ("석굴암 본존불", "the main Buddha of Seokguram Grotto"),
        ("불국사 다보탑", "Dabotap Pagoda at Bulguksa"),
        ("경복궁 근정전", "Geunjeongjeon Hall, Gyeongbokgung"),
        ("첨성대", "Cheomseongdae Observatory"), ("숭례문", "Sungnyemun Gate"),
        ("수원 화성 팔달문", "Paldalmun Gate, Hwaseong Fortress"),
        ("해인사 장경판전", "Janggyeong Panjeon, Haeinsa"),
        ("금동미륵보살반가사유상", "the Gilt-bronze Pensive Bodhisattva"),
        ("창덕궁 인정전", "Injeongjeon Hall, Changdeokgung"),
        ("백제 금동대향로", "the Gilt-bronze Incense Burner of Baekje")])
    year = rng.randint(2016, 2024)
    points, res = rng.randint(50, 4000), rng.choice([0.5, 1, 2, 5])
    return dict(
        ko="%s 3차원 스캔 데이터 (%d)" % (site, year),
        en="3D scan of %s (%d)" % (site_en, year),
        notes_ko="%s 지상 레이저 스캐너와 사진측량으로 기록한 3차원 모델입니다. "
                 "점군 %d만 점, 해상도 %s mm이며 문화유산 보존과 복원 연구에 활용할 수 있습니다."
                 % (josa(site, "을를"), points, res),
        notes_en="Three-dimensional model of %s recorded by terrestrial laser scanning and "
                 "photogrammetry: %d0,000 points at %s mm resolution, for conservation "
                 "and restoration research." % (site_en, points, res),
        tags=["문화유산", "cultural-heritage", "3D", "3차원", "스캔", "photogrammetry",
              "점군", "point-cloud"],
        formats=MODEL_FORMATS + ["CSV"], year=year, region=None)


def _keyword(subject: str) -> str:
    """The subject's most telling word, as a tag ("노후 건축물 현황" -> "건축물")."""
    generic = ("현황", "자료", "정보", "통계", "검사")
    words = [w for w in re.sub(r"\(.*?\)", " ", subject).split() if w not in generic]
    return max(words or subject.split(), key=len)


def _simple(subjects: list[tuple[str, str]], tags: list[str], per_region: bool = True,
            notes: tuple[str, str] = ("", ""),
            formats: list[str] = TABLE_FORMATS) -> Callable[[random.Random], dict[str, Any]]:
    """A topic whose datasets are "<subject> of <region>, <year>" tables."""
    def build(rng: random.Random) -> dict[str, Any]:
        subject, subject_en = rng.choice(subjects)
        year = rng.randint(2012, 2024)
        region, region_en = rng.choice(REGIONS) if per_region else ("전국", "Korea")
        n = rng.randint(12, 25000)
        return dict(
            ko="%d년 %s %s" % (year, region, subject),
            en="%s in %s, %d" % (subject_en[0].upper() + subject_en[1:], region_en, year),
            notes_ko="%s의 %s 자료로, 총 %d건의 기록을 담고 있습니다. %s" % (
                region, subject, n,
                notes[0].format(subject=subject, subject_josa=josa(subject, "은는"))),
            notes_en="%s for %s in %d: %d records. %s" % (
                subject_en[0].upper() + subject_en[1:], region_en, year, n,
                notes[1].format(subject=subject_en)),
            tags=[_keyword(subject)] + tags, formats=formats, year=year, region=region)
    return build


TOPICS = [
    Topic("food-contaminants", ["mfds", "mafra", "nier"], ["food", "health"], 12,
          _food_contaminants),
    Topic("heritage-3d", ["cha", "mcst"], ["culture"], 8, _heritage_scans),
    Topic("buildings", ["molit"], ["land", "safety"], 7, _simple(
        [("건축물대장 표제부", "building register (title section)"),
         ("노후 건축물 현황", "aging buildings"),
         ("내진설계 적용 건축물", "buildings with seismic design"),
         ("공동주택 단지 정보", "apartment complexes")],
        ["건축물", "buildings", "건축물대장", "building-register", "내진", "seismic"],
        notes=("건축물의 용도, 구조, 층수, 사용승인일을 포함합니다.",
               "Includes use, structure, number of floors and approval date of each building."))),
    Topic("earthquake-shelters", ["mois", "nfa"], ["safety"], 6, _simple(
        [("지진 옥외대피장소", "earthquake outdoor evacuation sites"),
         ("지진해일 긴급대피장소", "tsunami evacuation sites"),
         ("지진 겸용 임시주거시설", "temporary housing for earthquake victims")],
        ["지진", "earthquake", "대피소", "shelter", "재난안전", "disaster-safety",
         "evacuation"],
        notes=("지진 발생 시 이용할 수 있는 지진 대피소의 위치(위도, 경도), "
               "수용인원, 면적 정보입니다.",
               "Location (latitude, longitude), capacity and area of each earthquake shelter."))),
    Topic("traffic-accidents", ["koroad", "knpa", "molit"], ["transport", "safety"], 8, _simple(
        [("보행자 교통사고", "pedestrian traffic accidents"),
         ("어린이보호구역 교통사고", "school zone traffic accidents"),
         ("고령운전자 교통사고", "traffic accidents involving elderly drivers"),
         ("음주운전 교통사고", "drunk-driving traffic accidents"),
         ("자전거 교통사고", "bicycle traffic accidents"),
         ("이륜차 교통사고", "motorcycle traffic accidents")],
        ["교통사고", "traffic-accidents", "교통안전", "road-safety", "사고다발지역", "hotspots"],
        notes=("교통사고 발생건수, 사망자수, 부상자수를 시군구별로 집계하였습니다.",
               "Accidents, deaths and injuries by district."))),
    Topic("air-emissions", ["me", "nier"], ["environment"], 7, _simple(
        [("대기오염물질 배출량 미세먼지(PM10)", "air pollutant emissions of PM10"),
         ("대기오염물질 배출량 초미세먼지(PM2.5)", "air pollutant emissions of PM2.5"),
         ("대기오염물질 배출량 질소산화물", "air pollutant emissions of nitrogen oxides"),
         ("대기오염물질 배출량 황산화물", "air pollutant emissions of sulphur oxides"),
         ("대기오염물질 배출량 휘발성유기화합물", "air pollutant emissions of VOCs")],
        ["대기오염", "air-pollution", "미세먼지", "fine-dust", "배출량", "emissions"],
        notes=("국가 대기오염물질 배출량 통계(CAPSS)에 따른 배출원별 배출량입니다.",
               "Emissions by source sector from the national inventory (CAPSS)."))),
    Topic("nutrition", ["kdca", "mfds", "mohw"], ["health", "food"], 6, _simple(
        [("국민건강영양조사 영양소 섭취량", "KNHANES nutrient intake"),
         ("나트륨 섭취량", "sodium intake"), ("당류 섭취량", "sugar intake"),
         ("식품영양성분 데이터베이스", "food composition database"),
         ("학교급식 식단 영양정보", "school meal nutrition"),
         ("어린이 기호식품 영양성분", "nutrition facts of children's snacks")],
        ["영양", "nutrition", "나트륨", "sodium", "식품영양성분", "food-composition"],
        notes=("{subject_josa} 성별, 연령대별로 제공됩니다.", "By sex and age group."))),
    Topic("jobs", ["moel", "kostat"], ["labour"], 6, _simple(
        [("청년 고용률", "youth employment rate"),
         ("구인구직 현황", "job vacancies and applicants"),
         ("산업별 취업자 수", "employment by industry"),
         ("고용보험 피보험자 현황", "employment insurance holders"),
         ("직업훈련 과정", "vocational training courses")],
        ["일자리", "jobs", "고용", "employment", "노동시장", "labour-market"],
        notes=("월별 {subject} 통계입니다.", "Monthly statistics."))),
    Topic("water-quality", ["me", "nier"], ["environment"], 4, _simple(
        [("한강 수질 측정망 자료", "Han River water-quality monitoring"),
         ("낙동강 녹조 발생 현황", "Nakdong River algal bloom"),
         ("금강 상수원 수질", "Geum River drinking-water source quality"),
         ("영산강 수질 측정망 자료", "Yeongsan River water-quality monitoring")],
        ["수질", "water-quality", "하천", "rivers", "녹조", "algal-bloom"], per_region=False,
        notes=("측정지점별 BOD, COD, 총인, 총질소 농도입니다.",
               "BOD, COD, total phosphorus and total nitrogen by station."))),
    Topic("weather", ["kma"], ["environment"], 5, _simple(
        [("종관기상관측(ASOS) 시간자료", "hourly ASOS surface observations"),
         ("폭염일수", "heatwave days"), ("강수량 통계", "precipitation statistics"),
         ("지진 발생 목록", "earthquake catalogue")],
        ["기상", "weather", "기후", "climate", "관측", "observations"],
        formats=["CSV", "JSON"])),
    Topic("infectious-disease", ["kdca"], ["health"], 5, _simple(
        [("결핵 신고 현황", "tuberculosis notifications"),
         ("인플루엔자 의사환자 분율", "influenza-like illness rate"),
         ("수두 발생 현황", "varicella cases"), ("식중독 발생 현황", "food poisoning outbreaks")],
        ["감염병", "infectious-disease", "보건", "public-health"])),
    Topic("fire-rescue", ["nfa"], ["safety"], 5, _simple(
        [("화재 발생 현황", "fire incidents"), ("구급 출동 현황", "ambulance dispatches"),
         ("소방용수시설", "fire hydrants"),
         ("다중이용업소 안전점검", "safety inspections of public-use businesses")],
        ["화재", "fire", "소방", "fire-service", "구급", "emergency-medical"])),
    Topic("seafood-radioactivity", ["mof", "mfds"], ["food", "environment"], 4, _simple(
        [("수산물 방사능 검사 결과", "radioactivity tests on seafood"),
         ("해역 방사능 조사", "marine radioactivity survey"),
         ("수입 수산물 방사능 검사", "radioactivity tests on imported seafood")],
        ["방사능", "radioactivity", "수산물", "seafood", "세슘", "caesium"], per_region=False,
        notes=("세슘(Cs-134, Cs-137)과 요오드(I-131) 검사 결과입니다.",
               "Caesium (Cs-134, Cs-137) and iodine (I-131) results."))),
    Topic("pesticide-residues", ["mafra", "mfds"], ["food"], 4, _simple(
        [("사과 잔류농약 검사", "pesticide residues in apples"),
         ("배추 잔류농약 검사", "pesticide residues in napa cabbage"),
         ("딸기 잔류농약 검사", "pesticide residues in strawberries"),
         ("시금치 잔류농약 검사", "pesticide residues in spinach")],
        ["잔류농약", "pesticide-residues", "농산물", "agricultural-products"])),
    Topic("schools", ["moe"], ["education"], 4, _simple(
        [("학교 기본정보", "school basic information"), ("학생 수 현황", "student enrolment"),
         ("학교 내진보강 현황", "seismic retrofitting of schools"),
         ("방과후학교 운영 현황", "after-school programmes")],
        ["학교", "schools", "교육", "education"])),
    Topic("open-government", ["mois", "kostat"], ["government"], 3, _simple(
        [("열린정부 국가실행계획 이행 현황", "open government national action plan progress"),
         ("정보공개청구 처리 현황", "freedom of information requests"),
         ("공공데이터 개방 목록", "open public data inventory"),
         ("예산 집행 현황", "budget execution")],
        ["열린정부", "open-government", "OGP", "공공데이터", "open-data"], per_region=False)),
    Topic("digital", ["msit"], ["government"], 3, _simple(
        [("공공 와이파이 설치 현황", "public Wi-Fi hotspots"), ("5G 커버리지", "5G coverage"),
         ("국가연구개발사업 과제 현황", "national R&D projects")],
        ["정보통신", "ICT", "연구개발", "research"])),
    Topic("tourism", ["mcst"], ["culture"], 3, _simple(
        [("관광지 방문객 통계", "tourist site visitors"), ("공공도서관 현황", "public libraries"),
         ("지역 축제 정보", "local festivals")],
        ["관광", "tourism", "문화", "culture"])),
    Topic("energy", ["motie"], ["environment", "transport"], 3, _simple(
        [("전력 사용량", "electricity consumption"),
         ("신재생에너지 발전량", "renewable energy generation"),
         ("전기차 충전소", "electric vehicle charging stations")],
        ["에너지", "energy", "전력", "electricity"])),
    Topic("census", ["kostat"], ["government"], 2, _simple(
        [("인구주택총조사 인구", "population and housing census: population"),
         ("가계동향조사", "household income and expenditure survey")],
        ["인구", "population", "통계", "statistics"])),
]
ORG_TITLES = {name: ko for name, ko, _ in ORGANIZATIONS}

# -- the small table each generated dataset describes ----------------------------
#
# Each generated dataset's first table resource carries a Table Schema
# (resource field ``schema``) with labelled fields: what search/content.py
# indexes as content, so every dataset exercises content indexing without a
# DataStore table (100,000 of those would be the benchmark of the DataStore).

# (name, type, title, description): every table has these.
COMMON_FIELDS = [
    ("sido", "string", "시도 (province)", "광역자치단체 이름"),
    ("year", "integer", "기준연도 (reference year)", "자료의 기준이 되는 연도"),
]
# A few columns a table of the topic has; topics not listed get only the common ones.
TOPIC_FIELDS = {
    "food-contaminants": [
        ("food", "string", "식품명 (food item)", "식품공전의 식품 분류"),
        ("result", "number", "검출량 (result, mg/kg)", "분석 결과 농도")],
    "heritage-3d": [
        ("point_count", "integer", "점 개수 (points)", "점군을 이루는 점의 수"),
        ("resolution", "number", "해상도 (resolution, mm)", "스캔 해상도")],
    "buildings": [
        ("use", "string", "주용도 (main use)", "건축물대장의 주용도"),
        ("floors", "integer", "지상층수 (floors above ground)", "")],
    "earthquake-shelters": [
        ("capacity", "integer", "수용인원 (capacity)", "대피 가능 인원"),
        ("lat", "number", "위도 (latitude)", "WGS84")],
    "traffic-accidents": [
        ("deaths", "integer", "사망자수 (deaths)", "사고 후 30일 이내 사망"),
        ("injuries", "integer", "부상자수 (injuries)", "")],
    "air-emissions": [
        ("sector", "string", "배출원 (source sector)", "CAPSS 배출원 대분류"),
        ("tonnes", "number", "배출량 (emissions, t/yr)", "")],
    "water-quality": [
        ("bod", "number", "생물화학적 산소요구량 (BOD, mg/L)", ""),
        ("tp", "number", "총인 (total phosphorus, mg/L)", "")],
    "weather": [
        ("temp", "number", "기온 (air temperature, °C)", "1시간 평균"),
        ("rain", "number", "강수량 (precipitation, mm)", "")],
}
# Columns whose labels appear in no generated title, tag, description or
# resource text (nor in the data packages'): a query for them finds a dataset
# by its content only. About three datasets in ten have one.
CONTENT_ONLY_FIELDS = [
    ("specimen_no", "string", "검체번호 (specimen number)", "검사기관이 부여한 검체 고유번호"),
    ("surveyor", "string", "시료채취자 (surveyor)", "현장에서 시료를 채취한 담당자"),
    ("district_code", "string", "행정동코드 (district code)", "행정표준코드 10자리"),
    ("station_code", "string", "측정소코드 (station code)", "관측 지점의 고유 코드"),
    ("census_block", "string", "집계구 (census block)", "통계청 집계구 번호"),
    ("verifier", "string", "검증자 (verifier)", "자료를 검증한 담당자"),
]
# The labels a content-only query asks for. Not asked: "district code" and
# "station code" ("district", "station" and "code" each occur in generated
# metadata), 측정소코드 and 집계구 (Korean partial matching also finds the
# 측정 and 집계 of generated descriptions), "verifier" (stemmed, it finds the
# food-contaminants data package's "verified").
CONTENT_ONLY_QUERIES = ["검체번호", "specimen number", "시료채취자", "surveyor", "행정동코드",
                        "census block", "검증자"]
TABLE_KINDS = ("CSV", "JSON", "XLSX")


def _table_schema(rng: random.Random, slug: str) -> dict[str, Any]:
    """The Table Schema of a generated dataset's table (labelled fields)."""
    columns = COMMON_FIELDS + TOPIC_FIELDS.get(slug, [])
    if rng.random() < 0.3:
        columns = columns + [rng.choice(CONTENT_ONLY_FIELDS)]
    fields = []
    for name, kind, title, description in columns:
        field = {"name": name, "type": kind, "title": title}
        if description:
            field["description"] = description
        fields.append(field)
    return {"fields": fields}


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60].strip("-")


def dataset(i: int, seed: int) -> dict[str, Any]:
    """The ``package_create`` data dict of dataset number ``i`` (deterministic)."""
    rng = random.Random("%d-%d" % (seed, i))
    topic = rng.choices(TOPICS, weights=[t.weight for t in TOPICS])[0]
    d = topic.build(rng)
    org = rng.choice(topic.orgs)
    style = rng.random()
    title = (d["ko"] + " (" + d["en"] + ")" if style < 0.45
             else d["ko"] if style < 0.75 else d["en"])
    style = rng.random()
    notes = (d["notes_ko"] + "\n\n" + d["notes_en"] if style < 0.7
             else d["notes_ko"] if style < 0.85 else d["notes_en"])
    tags = [t for t in d["tags"] if TAG_RE.match(t)]  # e.g. "김" is too short for CKAN
    tags = rng.sample(tags, k=min(len(tags), rng.randint(1, 5)))
    resources = []
    for j in range(rng.randint(1, 3)):
        fmt = rng.choice(d["formats"])
        label = rng.choice(["원자료", "코드표 (code list)", "요약 통계 (summary)", "데이터 사전"])
        resources.append({
            "name": "%s %s" % (label, fmt) if j else "%s (%s)" % (d["ko"], fmt),
            "description": "%s 파일입니다. %s file." % (fmt, fmt),
            "format": fmt,
            "url": "https://data.%s.go.kr/files/%s-%d.%s" % (org, topic.slug, j, fmt.lower()),
        })
    # What the dataset schema declares goes in its fields (CKAN refuses an extra
    # named like a schema field); only undeclared properties remain extras.
    fields = {"update_cycle": rng.choice(FREQUENCIES),
              "temporal_start": "%d-01-01" % d["year"],
              "temporal_end": "%d-12-31" % d["year"]}
    if d["region"]:
        fields["spatial_coverage"] = d["region"]
    extras = [{"key": "survey_year", "value": str(d["year"])}]
    data = {
        "name": "%s-%05d" % (_slug(d["en"]), i),
        "title": title,
        "notes": notes.strip(),
        "owner_org": org,
        "groups": [{"name": g} for g in
                   rng.sample(topic.groups, k=rng.randint(1, len(topic.groups)))],
        "tags": [{"name": t} for t in dict.fromkeys(tags)],
        "license_id": rng.choice(LICENSES),
        "private": rng.random() < 0.10,
        "contact_name": "%s 데이터 담당자" % ORG_TITLES[org],
        "contact_email": "opendata@%s.go.kr" % org,
        "resources": resources,
        "extras": extras,
        **fields,
    }
    # Drawn last, so the rest of dataset i is what it was before tables had schemas.
    table = next((r for r in resources if r["format"] in TABLE_KINDS), None)
    if table is None:  # 3D models only: add the point list they come with
        table = {"name": "측정점 목록 (point list, CSV)", "format": "CSV",
                 "description": "CSV 파일입니다. CSV file.",
                 "url": "https://data.%s.go.kr/files/%s-points.csv" % (org, topic.slug)}
        resources.append(table)
    table["schema"] = json.dumps(_table_schema(rng, topic.slug), ensure_ascii=False)
    return data


# -- the queries ---------------------------------------------------------------

FREE_TEXT = ["cadmium rice", "earthquake shelter", "traffic accidents", "building register",
             "air pollutant emissions", "sodium intake", "youth employment", "3D scan",
             "lead kimchi", "water quality", "pesticide residues", "fire incidents",
             "radioactivity seafood", "pagoda", "tuberculosis", "census population"]
KOREAN_TEXT = ["카드뮴", "지진 대피소", "교통사고", "건축물대장", "미세먼지", "나트륨",
               "청년 고용률", "석굴암", "수질", "잔류농약", "쌀 카드뮴", "화재", "방사능",
               "3차원 스캔", "결핵", "인구"]
FACETS = ["organization", "tags", "res_format", "license_id"]


def query_kinds() -> list[tuple[str, Callable[[int], dict[str, Any]]]]:
    """(label, run number -> package_search parameters) for each query kind."""
    orgs = [name for name, _, _ in ORGANIZATIONS]
    return [
        ("free text (English)", lambda k: {"q": FREE_TEXT[k % len(FREE_TEXT)]}),
        ("Korean text", lambda k: {"q": KOREAN_TEXT[k % len(KOREAN_TEXT)]}),
        ("fq organization", lambda k: {"fq": "organization:%s" % orgs[k % len(orgs)]}),
        ("facets on 4 fields", lambda k: {"q": "", "facet.field": FACETS,
                                          "facet.limit": [10, 20, 50][k % 3]}),
        ("sort by modified", lambda k: {"sort": "metadata_modified desc",
                                        "rows": [10, 20, 50][k % 3]}),
        ("deep paging (start=5000)", lambda k: {"start": 5000 + 20 * (k % 5), "rows": 20}),
        (CONTENT_KIND, lambda k: {"q": CONTENT_ONLY_QUERIES[k % len(CONTENT_ONLY_QUERIES)]}),
        # The facets kind again, each call just after a dataset was re-indexed
        # (untimed): what a call costs when the kept facet counts are stale.
        (AFTER_WRITE_KIND, lambda k: {"q": "", "facet.field": FACETS,
                                      "facet.limit": [10, 20, 50][k % 3]}),
    ]


# -- the judged query set -------------------------------------------------------

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
JUDGED = os.path.join(ROOT, "tests", "ckan", "search", "judged_queries.csv")
PACKAGES = ("food-contaminants", "cultural-heritage-3d", "ogp-nap4-commitments",
            "priority-datasets")
PACKAGE_ORG = "bench-datapackages"


def _ensure_packages() -> None:
    """The four data packages as datasets (metadata and resource descriptions, no
    files: what the index reads today), created once."""
    import ckan.plugins.toolkit as tk
    from ckan import model

    from koreanap_client import datapackage as dp

    context = {"ignore_auth": True, "user": ADMIN}
    if model.Group.get(PACKAGE_ORG) is None:
        tk.get_action("organization_create")(dict(context), {
            "name": PACKAGE_ORG, "title": "데이터 패키지 (data packages)"})
    for name in PACKAGES:
        if model.Package.get(name) is not None:
            continue
        with open(os.path.join(ROOT, "datapackages", name, "datapackage.json"),
                  encoding="utf-8") as fh:
            descriptor = json.load(fh)
        data = {k: v for k, v in dp.descriptor_to_dataset(descriptor, PACKAGE_ORG).items()
                if v is not None}
        data["private"] = False
        data["resources"] = [
            {"name": r.get("title") or r["name"], "description": r.get("description") or "",
             "format": str(r.get("format") or "").upper(), "datapackage_name": r["name"],
             "url": "https://example.org/datapackages/%s/%s" % (name, r.get("path"))}
            for r in descriptor.get("resources") or []]
        tk.get_action("package_create")(dict(context), data)


def judged_queries() -> list[dict[str, str]]:
    import csv

    with open(JUDGED, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _judge() -> list[tuple[str, int, float, float, list[str]]]:
    """(scope, queries, hit@1, hit@3, misses at 1) over the judged set's counted
    queries, among every dataset and among the four data packages only."""
    import ckan.plugins.toolkit as tk
    from ckan import model

    search = tk.get_action("package_search")
    rows = [r for r in judged_queries() if not r["needs"]]
    out = []
    for scope, fq in (("whole catalogue", None),
                      ("the 4 data packages", "name:(%s)" % " OR ".join(PACKAGES))):
        hit1 = hit3 = 0
        misses = []
        for row in rows:
            model.Session.remove()
            params = {"q": row["query"], "rows": 3}
            if fq:
                params["fq"] = fq
            found = [r["name"] for r in search({"user": ""}, params)["results"]]
            hit1 += bool(found) and found[0] == row["expected"]
            hit3 += row["expected"] in found
            if not found or found[0] != row["expected"]:
                misses.append("%s -> %s" % (row["query"], found[0] if found else "nothing"))
        out.append((scope, len(rows), hit1 / len(rows), hit3 / len(rows), misses))
    return out


# -- CKAN in-process -----------------------------------------------------------

def _app(ini: str):
    import logging

    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    app = make_app(load_config(ini))
    # CKAN logs each created dataset's index update at INFO; keep the output readable.
    logging.getLogger("ckan").setLevel(logging.WARNING)
    logging.getLogger("ckanext").setLevel(logging.WARNING)
    # One warning per resource: the ini's default views name plugins not loaded.
    logging.getLogger("ckan.lib.datapreview").setLevel(logging.ERROR)
    return app


def _ensure_catalogue() -> None:
    """The sysadmin, the organizations and the groups (created once)."""
    import ckan.plugins.toolkit as tk
    from ckan import model

    if model.User.get(ADMIN) is None:
        tk.get_action("user_create")({"ignore_auth": True, "user": ""}, {
            "name": ADMIN, "email": ADMIN + "@localhost.invalid",
            "password": secrets.token_urlsafe(16), "fullname": "Benchmark administrator"})
    user = model.User.get(ADMIN)
    if not user.sysadmin:
        user.sysadmin = True
        model.Session.commit()
    context = {"ignore_auth": True, "user": ADMIN}
    for kind, items in (("organization", ORGANIZATIONS), ("group", GROUPS)):
        for name, ko, en in items:
            if model.Group.get(name) is None:
                tk.get_action(kind + "_create")(dict(context), {
                    "name": name, "title": ko, "description": "%s (%s)" % (ko, en)})


def _existing_numbers() -> set[int]:
    from ckan import model

    rows = model.Session.query(model.Package.name).filter(
        model.Package.type == "dataset", model.Package.state == "active")
    return {int(m.group(1)) for (name,) in rows if (m := NAME_RE.search(name))}


def _purge() -> None:
    """Purge every dataset (through dataset_purge) and empty the index."""
    import ckan.lib.search as search
    import ckan.plugins.toolkit as tk
    from ckan import model

    names = [n for (n,) in model.Session.query(model.Package.name).filter(
        model.Package.type == "dataset")]
    started = time.perf_counter()
    for done, name in enumerate(names, 1):
        tk.get_action("dataset_purge")({"ignore_auth": True, "user": ADMIN}, {"id": name})
        if done % 1000 == 0 or done == len(names):
            print("  purged %d/%d (%.0f/s)" % (done, len(names),
                                             done / (time.perf_counter() - started)), flush=True)
    search.clear_all()
    model.Session.commit()


def _set_morphology(on: bool, synonyms: bool = True) -> None:
    """Index and query with Kiwi's morphemes (the default) or n-grams only, and
    expand queries with the synonym table (the default) or not."""
    from ckanext.koreanap.search import text

    text.MORPHOLOGY = on
    text.SYNONYMS = synonyms


def _reindex() -> float:
    """Re-index every dataset in this process (as `ckan search-index rebuild`); seconds."""
    import ckan.lib.search as search
    from ckan import model

    started = time.perf_counter()
    search.rebuild(force=True, defer_commit=True, quiet=True)
    search.commit()
    model.Session.remove()
    return time.perf_counter() - started


def _create_worker(ini: str, numbers: list[int], report: Any, seed: int,
                   morphology: bool = True) -> None:
    """Create the given datasets in this process; report progress on ``report``."""
    import ckan.plugins.toolkit as tk
    from sqlalchemy import exc as sa_exc

    i = None
    try:
        _set_morphology(morphology)
        app = _app(ini)
        with app._wsgi_app.test_request_context():
            from ckan import model

            create = tk.get_action("package_create")
            pending = 0
            for i in numbers:
                for attempt in range(3):
                    try:
                        create({"ignore_auth": True, "user": ADMIN}, dataset(i, seed))
                        break
                    except sa_exc.IntegrityError:
                        # Two workers created the same new tag at once; it exists now.
                        model.Session.rollback()
                        if attempt == 2:
                            raise
                pending += 1
                if pending == 25:
                    report.put(("done", pending))
                    pending = 0
                    model.Session.remove()
            report.put(("done", pending))
    except tk.ValidationError as e:
        report.put(("error", "dataset %d is invalid: %s" % (i, e.error_summary)))
    except Exception as e:  # one clear line back to the parent
        report.put(("error", "%s: %s" % (type(e).__name__, str(e).splitlines()[0] if str(e)
                                         else "")))
    report.put(("finished", 0))


def _create(ini: str, missing: list[int], seed: int, workers: int,
            morphology: bool = True) -> float:
    """Create the missing datasets with ``workers`` processes; return seconds taken."""
    return _run_workers(_create_worker, ini, missing, workers, (seed, morphology), "created")


BULK_BATCH = 1000


def _bulk_create(missing: list[int], seed: int) -> float:
    """Write the missing datasets' rows in batches (benchmarks/bulk_datasets.py),
    after checking on the first that both paths give the same package_show."""
    import bulk_datasets
    from ckan import model

    ids = bulk_datasets.Ids(ADMIN)
    differ = bulk_datasets.check_against_package_create(dataset(missing[0], seed), ids, ADMIN)
    if differ:
        raise RuntimeError("dataset %d written in bulk differs from package_create's: %s"
                           % (missing[0], "; ".join(differ[:5])))
    print("  dataset %d written in bulk has the same package_show as through "
          "package_create (ids and times aside)" % missing[0], flush=True)
    started = last = time.perf_counter()
    for done in range(0, len(missing), BULK_BATCH):
        batch = missing[done:done + BULK_BATCH]
        bulk_datasets.insert([dataset(i, seed) for i in batch], ids)
        model.Session.commit()
        now = time.perf_counter()
        if now - last >= 10 or done + len(batch) == len(missing):
            print("  written %6d/%d  %6.0f datasets/s" % (
                done + len(batch), len(missing), (done + len(batch)) / (now - started)),
                flush=True)
            last = now
    return time.perf_counter() - started


def _unindexed() -> list[str]:
    """Ids of the active datasets the index does not hold yet."""
    import sqlalchemy as sa
    from ckan import model
    from ckan.common import config

    return list(model.Session.execute(sa.text(
        "SELECT p.id FROM package p WHERE p.state = 'active' AND p.type = 'dataset'"
        " AND NOT EXISTS (SELECT 1 FROM koreanap_search_index i"
        "  WHERE i.package_id = p.id AND i.site_id = :site) ORDER BY p.id"),
        {"site": config["ckan.site_id"]}).scalars())


def _index_worker(ini: str, package_ids: list[str], report: Any,
                  morphology: bool = True) -> None:
    """Index the given datasets through CKAN's own path, committing every 100."""
    import ckan.logic as logic
    import ckan.plugins.toolkit as tk

    try:
        _set_morphology(morphology)
        app = _app(ini)
        with app._wsgi_app.test_request_context():
            from ckan import model

            for start in range(0, len(package_ids), 100):
                chunk = package_ids[start:start + 100]
                for package_id in chunk:
                    # package_show -> index_package, as `ckan search-index rebuild`
                    logic.index_update_package({"ignore_auth": True}, package_id, True)
                model.Session.commit()
                model.Session.remove()
                report.put(("done", len(chunk)))
    except tk.ObjectNotFound as e:
        report.put(("error", "not found: %s" % e))
    except Exception as e:  # one clear line back to the parent
        report.put(("error", "%s: %s" % (type(e).__name__, str(e).splitlines()[0] if str(e)
                                         else "")))
    report.put(("finished", 0))


def _run_workers(target: Callable[..., None], ini: str, items: list[Any], workers: int,
                 extra: tuple[Any, ...], verb: str) -> float:
    """Share ``items`` among ``workers`` processes running ``target``; print
    progress every 10 s; return seconds taken."""
    ctx = multiprocessing.get_context("spawn")
    report = ctx.Queue()
    procs = [ctx.Process(target=target, args=(ini, items[w::workers], report, *extra),
                         daemon=True)
             for w in range(workers)]
    for proc in procs:
        proc.start()
    started = last = time.perf_counter()
    done = finished = 0
    error = None
    while finished < workers:
        try:
            kind, value = report.get(timeout=5)
        except queue.Empty:
            if not any(p.is_alive() for p in procs):
                error = error or "a worker process died; see the messages above"
                break
            continue
        if kind == "done":
            if not value:
                continue
            done += value
        elif kind == "error":
            error = error or value
        else:
            finished += 1
        now = time.perf_counter()
        if kind == "done" and (now - last >= 10 or done == len(items)):
            rate = done / (now - started) if now > started else 0.0
            eta = (len(items) - done) / rate if rate else 0.0
            print("  %s %6d/%d  %5.1f datasets/s  elapsed %s  left ~%s"
                  % (verb, done, len(items), rate, _duration(now - started), _duration(eta)),
                  flush=True)
            last = now
    for proc in procs:
        proc.join(timeout=30)
    if error:
        raise RuntimeError(error)
    return time.perf_counter() - started


def _duration(seconds: float) -> str:
    return "%dm%02ds" % divmod(int(seconds), 60)


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * pct / 100
    low = int(k)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def _measure(runs: int, warmup: int, target: float,
             content_target: float) -> list[tuple[Any, ...]]:
    import ckan.logic as logic
    import ckan.plugins.toolkit as tk
    import sqlalchemy as sa
    from ckan import model

    search = tk.get_action("package_search")
    table = []
    written = list(model.Session.execute(sa.text(
        "SELECT id FROM package WHERE state = 'active' ORDER BY id LIMIT 50")).scalars())
    for label, params in query_kinds():
        goal = content_target if label == CONTENT_KIND else target
        timings, counts = [], []
        for k in range(warmup + runs):
            data = params(k)
            if label == AFTER_WRITE_KIND:
                logic.index_update_package({"ignore_auth": True}, written[k % len(written)])
                model.Session.commit()
            model.Session.remove()  # each call starts afresh, as a request does
            started = time.perf_counter()
            result = search({"user": ""}, data)
            elapsed = (time.perf_counter() - started) * 1000
            if k >= warmup:
                timings.append(elapsed)
                counts.append(result["count"])
        p95 = _percentile(timings, 95)
        table.append((label, runs, statistics.median(timings), p95, max(timings),
                      min(counts), max(counts), goal, "PASS" if p95 < goal else "FAIL"))
    return table


def _print_table(table: list[tuple[Any, ...]]) -> None:
    header = ("query kind", "runs", "p50 ms", "p95 ms", "max ms", "results",
              "p95 target")
    print("| %-26s | %5s | %7s | %7s | %7s | %-11s | %-11s |" % header)
    print("|%s|%s:|%s:|%s:|%s:|%s|%s|" % ("-" * 28, "-" * 6, "-" * 8, "-" * 8, "-" * 8,
                                           "-" * 13, "-" * 13))
    for label, runs, p50, p95, worst, low, high, goal, verdict in table:
        counts = "%d" % low if low == high else "%d–%d" % (low, high)
        print("| %-26s | %5d | %7.1f | %7.1f | %7.1f | %-11s | %-11s |"
              % (label, runs, p50, p95, worst, counts, "< %g %s" % (goal, verdict)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="benchmarks/search.py",
        description="Create realistic datasets through package_create (once) and print "
                    "p50/p95 latency of seven kinds of package_search call.")
    parser.add_argument("--ini", required=True, help="CKAN ini (benchmarks/run-search "
                        "passes var/bench.ini; never point this at a catalogue you keep)")
    parser.add_argument("--datasets", type=int, default=10000, metavar="N",
                        help="datasets to have in the catalogue (default: %(default)s)")
    parser.add_argument("--runs", type=int, default=200, metavar="N",
                        help="timed calls per query kind (default: %(default)s)")
    parser.add_argument("--warmup", type=int, default=20, metavar="N",
                        help="untimed calls per query kind first (default: %(default)s)")
    parser.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1),
                        metavar="N", help="processes creating datasets (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=4, help="random seed (default: %(default)s)")
    parser.add_argument("--target-ms", type=float, default=TARGET_P95_MS, metavar="MS",
                        help="p95 target per query kind (default: %(default)s)")
    parser.add_argument("--content-target-ms", type=float, default=CONTENT_TARGET_P95_MS,
                        metavar="MS", help="p95 target of the content-only match "
                        "(default: %(default)s)")
    parser.add_argument("--bulk", action="store_true",
                        help="create the missing datasets by writing CKAN's rows in "
                             "batches (benchmarks/bulk_datasets.py; checked against "
                             "package_create on one dataset first), then index them "
                             "through CKAN's indexer with --workers processes: for "
                             "100,000 datasets")
    parser.add_argument("--rebuild", action="store_true",
                        help="purge every dataset and create them again")
    parser.add_argument("--site-id", default=BENCH_SITE_ID, metavar="ID",
                        help="the ckan.site_id the ini must have; the script refuses to "
                             "write to any other catalogue (default: %(default)s)")
    parser.add_argument("--reindex", action="store_true",
                        help="re-index every dataset first (timed; e.g. after "
                             "--no-morphology was used, or to measure the build)")
    parser.add_argument("--no-morphology", action="store_true",
                        help="index and query without Korean morphemes (character n-grams "
                             "only), to measure what morphology costs; use with --reindex")
    parser.add_argument("--no-synonyms", action="store_true",
                        help="query without the synonym table (search/synonyms.csv), to "
                             "measure what it costs")
    args = parser.parse_args(argv)
    if min(args.datasets, args.runs, args.workers) < 1 or args.warmup < 0:
        parser.error("--datasets, --runs and --workers must be at least 1, --warmup at least 0")
    if not os.path.exists(args.ini):
        print("error: %s does not exist; run benchmarks/run-search" % args.ini, file=sys.stderr)
        return 1

    try:
        _set_morphology(not args.no_morphology, not args.no_synonyms)
        app = _app(args.ini)
        with app._wsgi_app.test_request_context():
            import sqlalchemy as sa
            from ckan import model
            from ckan.common import config

            if config.get("ckan.site_id") != args.site_id:
                print("error: %s is not the benchmark catalogue (site id %r, want %r); "
                      "refusing to write to it"
                      % (args.ini, config.get("ckan.site_id"), args.site_id), file=sys.stderr)
                return 1
            _ensure_catalogue()
            if args.rebuild:
                print("Purging the datasets (--rebuild)", flush=True)
                _purge()
            have = _existing_numbers()
            missing = [i for i in range(1, args.datasets + 1) if i not in have]
            if missing and args.bulk:
                print("Writing %d datasets' rows in batches of %d (--bulk)"
                      % (len(missing), BULK_BATCH), flush=True)
                took = _bulk_create(missing, args.seed)
                print("Wrote %d datasets in %s (%.0f/s)"
                      % (len(missing), _duration(took), len(missing) / took), flush=True)
            elif missing:
                print("Creating %d datasets through package_create (%d process%s)"
                      % (len(missing), args.workers, "" if args.workers == 1 else "es"),
                      flush=True)
                model.Session.remove()
                took = _create(args.ini, missing, args.seed, args.workers,
                               not args.no_morphology)
                print("Created %d datasets in %s (%.1f/s)"
                      % (len(missing), _duration(took), len(missing) / took), flush=True)
            else:
                print("Reusing the %d datasets already there (--rebuild to recreate)"
                      % len(have), flush=True)

            _ensure_packages()
            unindexed = _unindexed() if args.bulk else []
            if unindexed:
                print("Indexing %d datasets through CKAN's indexer (%d process%s)"
                      % (len(unindexed), args.workers, "" if args.workers == 1 else "es"),
                      flush=True)
                model.Session.remove()
                took = _run_workers(_index_worker, args.ini, unindexed, args.workers,
                                    (not args.no_morphology,), "indexed")
                print("Indexed %d datasets in %s (%.1f/s)"
                      % (len(unindexed), _duration(took), len(unindexed) / took), flush=True)
            if args.reindex:
                print("Re-indexing every dataset (%s)" % (
                    "n-grams only" if args.no_morphology else "with morphemes"), flush=True)
                took = _reindex()
                print("Re-indexed in %.1f s (%.0f datasets/s)"
                      % (took, len(_existing_numbers()) / took), flush=True)

            model.Session.remove()
            indexed, public = model.Session.execute(sa.text(
                "SELECT count(*), count(*) FILTER (WHERE capacity = 'public')"
                " FROM koreanap_search_index WHERE site_id = :site"),
                {"site": config["ckan.site_id"]}).one()
            version = model.Session.execute(sa.text("SHOW server_version")).scalar()
            size = model.Session.execute(sa.text(
                "SELECT pg_total_relation_size('koreanap_search_index')")).scalar()
            text_index = model.Session.execute(sa.text(
                "SELECT coalesce(sum(pg_relation_size(indexrelid)), 0) FROM pg_index"
                " WHERE indrelid = 'koreanap_search_index'::regclass"
                " AND pg_get_indexdef(indexrelid) LIKE '%search_vector%'")).scalar()
            print("Index: %d datasets (%d public), %.1f MB with its indexes, of which the "
                  "full-text index %.1f MB (all sites); PostgreSQL %s; %d CPUs"
                  % (indexed, public, size / 1e6, float(text_index) / 1e6, version,
                     os.cpu_count() or 0), flush=True)
            active = len(_existing_numbers()) + len(PACKAGES)
            if indexed != active:
                print("warning: the index holds %d documents but the database %d active "
                      "datasets; run `ckan -c %s search-index rebuild` or use --rebuild"
                      % (indexed, active, args.ini), file=sys.stderr, flush=True)
            print("Timing package_search as an anonymous user: %d warm-up + %d timed "
                  "calls per kind\n" % (args.warmup, args.runs), flush=True)
            table = _measure(args.runs, args.warmup, args.target_ms,
                             args.content_target_ms)
            judged = _judge()
    except Exception as e:  # one line, not a traceback: this is a command
        print("error: %s: %s (CKAN's log is above)" % (type(e).__name__, e), file=sys.stderr)
        return 1
    _print_table(table)
    print("\nJudged queries (tests/ckan/search/judged_queries.csv; rows marked 'needs' "
          "left out):")
    for scope, count, hit1, hit3, misses in judged:
        print("  %-20s %d queries: hit@1 %.1f%%, hit@3 %.1f%%" % (
            scope, count, 100 * hit1, 100 * hit3))
        if misses:
            print("    not first: %s%s" % ("; ".join(misses[:10]),
                                          " …" if len(misses) > 10 else ""))
    failed = [row[0] for row in table if row[-1] == "FAIL"]
    print("\n%s" % ("All %d query kinds meet their p95 targets." % len(table) if not failed
                     else "Missed the p95 target: %s." % ", ".join(failed)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
