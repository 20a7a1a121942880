"""Build the generated sample tables of the priority-datasets data package.

The three tables (``earthquake_shelters``, ``air_pollutant_emissions``,
``traffic_accidents``) are an ILLUSTRATIVE SAMPLE, NOT OFFICIAL MEASUREMENTS: they show
the shape such data takes under Korean public-data conventions (ISO dates, Y/N flags,
법정동 region codes, a reference date column), drawn from fixed, made-up weights with a
seeded random generator. The catalogue, the regions and the code lists are curated by
hand in the package's ``data`` folder; this script reads them from there and never
writes them.

The same seed gives byte-identical files. The committed files are made by::

    venv/bin/python scripts/build_priority_datasets.py --overwrite

(``--overwrite`` because the default output folder is inside the package).

Exit codes: 0 ok, 1 invalid input (refused output folder, bad reference data),
2 usage error.
"""
from __future__ import annotations

import datetime
import math
import pathlib
import random
import sys

from datapackage_output import (
    InputError,
    builder_parser,
    read_reference_table,
    refuse_package_output,
    run_builder,
    write_csv,
    wrote_rows,
)
from datapackage_output import WeightedChoice as _Choice

ROOT = pathlib.Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "datapackages" / "priority-datasets"
DATA = PACKAGE / "data"
DEFAULT_SEED = 20180901  # the commitment's start date, 1 Sep 2018

SHELTERS = "earthquake_shelters.csv"
EMISSIONS = "air_pollutant_emissions.csv"
ACCIDENTS = "traffic_accidents.csv"
OUTPUTS = (SHELTERS, EMISSIONS, ACCIDENTS)

SHELTER_HEADER = (
    "shelter_id", "name_ko", "shelter_type_code", "region_code", "sigungu_name", "address",
    "latitude", "longitude", "capacity", "area_m2", "designated_date", "accessible_yn",
    "night_lighting_yn", "in_use_yn", "reference_date",
)
EMISSION_HEADER = ("region_code", "year", "pollutant_code", "unit", "amount", "reference_date")
ACCIDENT_HEADER = ("region_code", "year", "accident_type_code", "accidents", "deaths",
                   "injuries", "reference_date")

# Reference dates (데이터기준일자) of the sample tables.
SHELTER_REFERENCE_DATE = datetime.date(2020, 6, 30)
EMISSION_REFERENCE_DATE = "2020-12-31"
ACCIDENT_REFERENCE_DATE = "2020-06-30"
YEARS = (2015, 2016, 2017, 2018, 2019)

# --- Illustrative settings (made up to look plausible; not statistics) -----------------

# Population of each region, about 2019, in ten thousands: weights for shelters and
# traffic accidents.
POPULATION = {
    "11": 972, "26": 341, "27": 244, "28": 296, "29": 146, "30": 147, "31": 115, "36": 34,
    "41": 1324, "42": 154, "43": 160, "44": 212, "45": 181, "46": 186, "47": 266,
    "48": 336, "50": 67,
}

# Sigungu (시·군·구) names used in the sample, by region; Sejong has none. Island
# counties outside the regions' bounding boxes are left out.
SIGUNGU = {
    "11": "종로구 중구 용산구 성동구 광진구 동대문구 중랑구 성북구 강북구 도봉구 노원구 은평구 "
          "서대문구 마포구 양천구 강서구 구로구 금천구 영등포구 동작구 관악구 서초구 강남구 "
          "송파구 강동구",
    "26": "중구 서구 동구 영도구 부산진구 동래구 남구 북구 해운대구 사하구 금정구 강서구 연제구 "
          "수영구 사상구 기장군",
    "27": "중구 동구 서구 남구 북구 수성구 달서구 달성군",
    "28": "중구 동구 미추홀구 연수구 남동구 부평구 계양구 서구",
    "29": "동구 서구 남구 북구 광산구",
    "30": "동구 중구 서구 유성구 대덕구",
    "31": "중구 남구 동구 북구 울주군",
    "36": "",
    "41": "수원시 성남시 의정부시 안양시 부천시 광명시 평택시 동두천시 안산시 고양시 과천시 "
          "구리시 남양주시 오산시 시흥시 군포시 의왕시 하남시 용인시 파주시 이천시 안성시 "
          "김포시 화성시 광주시 양주시 포천시 여주시 연천군 가평군 양평군",
    "42": "춘천시 원주시 강릉시 동해시 태백시 속초시 삼척시 홍천군 횡성군 영월군 평창군 정선군 "
          "철원군 화천군 양구군 인제군 고성군 양양군",
    "43": "청주시 충주시 제천시 보은군 옥천군 영동군 증평군 진천군 괴산군 음성군 단양군",
    "44": "천안시 공주시 보령시 아산시 서산시 논산시 계룡시 당진시 금산군 부여군 서천군 청양군 "
          "홍성군 예산군 태안군",
    "45": "전주시 군산시 익산시 정읍시 남원시 김제시 완주군 진안군 무주군 장수군 임실군 순창군 "
          "고창군 부안군",
    "46": "목포시 여수시 순천시 나주시 광양시 담양군 곡성군 구례군 고흥군 보성군 화순군 장흥군 "
          "강진군 해남군 영암군 무안군 함평군 영광군 장성군 완도군 진도군 신안군",
    "47": "포항시 경주시 김천시 안동시 구미시 영주시 영천시 상주시 문경시 경산시 군위군 의성군 "
          "청송군 영양군 영덕군 청도군 고령군 성주군 칠곡군 예천군 봉화군 울진군",
    "48": "창원시 진주시 통영시 사천시 김해시 밀양시 거제시 양산시 의령군 함안군 창녕군 고성군 "
          "남해군 하동군 산청군 함양군 거창군 합천군",
    "50": "제주시 서귀포시",
}

SHELTER_ROWS = 1_500
INDOOR_SHARE = 0.2
# Kinds of site: (shelter type, Korean facility name, area range in m², m² per person).
SITE_KINDS = {
    "OUT": (("초등학교 운동장", 3_000, 12_000), ("중학교 운동장", 3_000, 10_000),
            ("고등학교 운동장", 4_000, 12_000), ("근린공원", 1_500, 20_000),
            ("공설운동장", 8_000, 30_000), ("공영주차장", 1_000, 6_000)),
    "IN": (("체육관", 600, 3_000), ("주민센터", 300, 1_200), ("학교 강당", 500, 1_800),
           ("복지관", 400, 2_000)),
}
AREA_PER_PERSON = {"OUT": (1.0, 2.5), "IN": (3.3, 5.0)}
DESIGNATED_FROM = datetime.date(2016, 10, 1)  # after the Gyeongju earthquake of Sep 2016
FLAG_SHARES = {"accessible_yn": 0.7, "night_lighting_yn": 0.6, "in_use_yn": 0.97}

# Emissions: an illustrative national total per pollutant in 2015 (t/yr), a yearly
# trend, and each region's share (a base share times a pollutant-specific factor).
NATIONAL_2015 = {"CO": 800_000, "NOx": 1_180_000, "SOx": 340_000, "TSP": 620_000,
                 "VOCs": 1_020_000, "NH3": 300_000}
TREND = {"CO": -0.01, "NOx": -0.025, "SOx": -0.04, "TSP": -0.01, "VOCs": 0.005,
         "NH3": 0.0}
BASE_SHARE = {
    "11": 5, "26": 5, "27": 3, "28": 6, "29": 1.5, "30": 1.5, "31": 6, "36": 0.5,
    "41": 15, "42": 6, "43": 5, "44": 12, "45": 5, "46": 12, "47": 10, "48": 8, "50": 1.5,
}
SHARE_FACTOR = {
    "SOx": {"44": 2.0, "46": 1.8, "31": 1.8, "47": 1.3, "11": 0.2, "41": 0.5, "27": 0.5},
    "NH3": {"44": 1.6, "47": 1.5, "45": 1.5, "46": 1.5, "43": 1.3, "11": 0.2, "26": 0.3,
            "27": 0.4, "29": 0.3, "30": 0.3},
    "VOCs": {"31": 1.6, "46": 1.3, "41": 1.3, "11": 1.2},
    "CO": {"11": 1.3, "41": 1.2},
    "NOx": {"44": 1.3, "46": 1.2},
}
PM10_OF_TSP = (0.32, 0.42)
PM25_OF_PM10 = (0.36, 0.46)
NOISE = 0.05  # relative, per region, year and pollutant

# Traffic accidents (with casualties): an illustrative national total per year, the
# share of each type, deaths and injuries per accident by type, and a fatality factor
# for rural regions.
ACCIDENTS_PER_YEAR = {2015: 232_000, 2016: 221_000, 2017: 216_000, 2018: 217_000,
                      2019: 229_000}
DEATH_TREND = {2015: 1.0, 2016: 0.93, 2017: 0.9, 2018: 0.82, 2019: 0.72}
TYPE_SHARE = {"VP": 0.20, "VV": 0.72, "SV": 0.08}
DEATHS_PER_ACCIDENT = {"VP": 0.03, "VV": 0.0085, "SV": 0.06, "RC": 0.4}
INJURIES_PER_ACCIDENT = {"VP": 1.03, "VV": 1.6, "SV": 1.25, "RC": 1.0}
FATALITY_FACTOR = {"11": 0.6, "26": 0.8, "27": 0.85, "28": 0.8, "29": 0.85, "30": 0.85,
                   "31": 0.9, "41": 0.95, "42": 1.6, "43": 1.5, "44": 1.7, "45": 1.6,
                   "46": 1.8, "47": 1.7, "48": 1.3, "50": 1.2, "36": 1.1}
RAIL_CROSSINGS_PER_YEAR = 8.0  # expected railway level-crossing accidents, whole country


def _read(name, data=DATA):
    return read_reference_table(data, name)


def load_reference(data=DATA):
    """Read the curated reference tables and check this script's settings against them.

    :param data: folder holding the reference CSV files
    :returns: dict with regions (by code), pollutant units, accident and shelter types
    :raises InputError: when a table is missing or disagrees with this script
    """
    regions = {r["region_code"]: r for r in _read("regions", data)}
    pollutants = {r["pollutant_code"]: r["unit"] for r in _read("pollutants", data)}
    accident_types = [r["accident_type_code"] for r in _read("accident_types", data)]
    shelter_types = {r["shelter_type_code"] for r in _read("shelter_types", data)}
    problems = []
    for name, table in (("POPULATION", POPULATION), ("SIGUNGU", SIGUNGU),
                        ("BASE_SHARE", BASE_SHARE), ("FATALITY_FACTOR", FATALITY_FACTOR)):
        if set(table) != set(regions):
            problems.append("%s does not cover exactly the regions of regions.csv" % name)
    expected = set(NATIONAL_2015) | {"PM10", "PM2.5"}
    if set(pollutants) != expected:
        problems.append("pollutants.csv has %s, the script knows %s"
                        % (sorted(pollutants), sorted(expected)))
    if set(accident_types) != set(TYPE_SHARE) | {"RC"}:
        problems.append("accident_types.csv does not match the script's accident types")
    if shelter_types != set(SITE_KINDS):
        problems.append("shelter_types.csv does not match the script's shelter types")
    if problems:
        raise InputError("reference data and generator disagree: " + "; ".join(problems))
    return {"regions": regions, "pollutants": pollutants, "accident_types": accident_types}


def _poisson(rng, mean):
    """A Poisson draw: exact for small means, a rounded normal for large ones."""
    if mean <= 0:
        return 0
    if mean > 50:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, k, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k


def shelters(rng, ref):
    """Yield earthquake_shelters rows (tuples in SHELTER_HEADER order)."""
    regions = ref["regions"]
    region_choice = _Choice({code: POPULATION[code] ** 0.7 for code in regions})
    days = (SHELTER_REFERENCE_DATE - DESIGNATED_FROM).days
    sequence = dict.fromkeys(regions, 0)
    for _ in range(SHELTER_ROWS):
        code = region_choice.pick(rng)
        region = regions[code]
        sequence[code] += 1
        kind = "IN" if rng.random() < INDOOR_SHARE else "OUT"
        facility, low, high = rng.choice(SITE_KINDS[kind])
        area = round(rng.uniform(low, high), -1)
        capacity = int(area / rng.uniform(*AREA_PER_PERSON[kind]))
        sigungu = rng.choice(SIGUNGU[code].split()) if SIGUNGU[code] else ""
        place = sigungu or region["name_ko"]
        latitude = rng.uniform(float(region["lat_min"]), float(region["lat_max"]))
        longitude = rng.uniform(float(region["lon_min"]), float(region["lon_max"]))
        designated = DESIGNATED_FROM + datetime.timedelta(days=rng.randrange(days + 1))
        flags = ["Y" if rng.random() < FLAG_SHARES[name] else "N"
                 for name in ("accessible_yn", "night_lighting_yn", "in_use_yn")]
        address = " ".join(part for part in (region["name_ko"], sigungu,
                                             "예시로 %d" % rng.randint(1, 300)) if part)
        yield ("EQS%s-%04d" % (code, sequence[code]),
               "%s 예시 %s %d" % (place, facility, sequence[code]), kind, code, sigungu,
               address, "%.6f" % latitude, "%.6f" % longitude, capacity, "%.0f" % area,
               designated.isoformat(), *flags, SHELTER_REFERENCE_DATE.isoformat())


def emissions(rng, ref):
    """Yield air_pollutant_emissions rows (tuples in EMISSION_HEADER order)."""
    units = ref["pollutants"]
    shares = {}
    for pollutant in NATIONAL_2015:
        factor = SHARE_FACTOR.get(pollutant, {})
        weights = {c: BASE_SHARE[c] * factor.get(c, 1.0) for c in ref["regions"]}
        total = sum(weights.values())
        shares[pollutant] = {c: w / total for c, w in weights.items()}
    for code in ref["regions"]:
        for index, year in enumerate(YEARS):
            amounts = {}
            for pollutant, national in NATIONAL_2015.items():
                mean = national * shares[pollutant][code] * (1 + TREND[pollutant]) ** index
                amounts[pollutant] = mean * rng.uniform(1 - NOISE, 1 + NOISE)
            # Size fractions nest: PM2.5 is part of PM10, which is part of TSP.
            amounts["PM10"] = amounts["TSP"] * rng.uniform(*PM10_OF_TSP)
            amounts["PM2.5"] = amounts["PM10"] * rng.uniform(*PM25_OF_PM10)
            for pollutant in units:
                yield (code, year, pollutant, units[pollutant], "%.1f" % amounts[pollutant],
                       EMISSION_REFERENCE_DATE)


def accidents(rng, ref):
    """Yield traffic_accidents rows (tuples in ACCIDENT_HEADER order)."""
    population = sum(POPULATION.values())
    for code in ref["regions"]:
        share = POPULATION[code] / population
        for year in YEARS:
            for kind in ref["accident_types"]:
                if kind == "RC":
                    count = _poisson(rng, RAIL_CROSSINGS_PER_YEAR * share)
                else:
                    count = _poisson(rng, ACCIDENTS_PER_YEAR[year] * share * TYPE_SHARE[kind]
                                     * rng.uniform(0.9, 1.1))
                death_rate = DEATHS_PER_ACCIDENT[kind] * FATALITY_FACTOR[code]
                if kind != "RC":
                    death_rate *= DEATH_TREND[year]
                deaths = min(count, _poisson(rng, count * death_rate))
                injuries = _poisson(rng, count * INJURIES_PER_ACCIDENT[kind])
                # Every accident in these statistics has at least one casualty.
                injuries = max(injuries, count - deaths)
                yield (code, year, kind, count, deaths, injuries, ACCIDENT_REFERENCE_DATE)


def write(out_dir, seed=DEFAULT_SEED):
    """Write the three sample tables into out_dir (each atomically).

    :param out_dir: output folder, which must exist
    :param seed: seed of the random generator; each table has its own stream
    :returns: list of (path, rows, bytes, sha256)
    """
    reference = load_reference()
    tables = ((SHELTERS, SHELTER_HEADER, shelters), (EMISSIONS, EMISSION_HEADER, emissions),
              (ACCIDENTS, ACCIDENT_HEADER, accidents))
    summary = []
    for name, header, generator in tables:
        # A separate stream per table, so changing one table leaves the others' bytes.
        rng = random.Random("%s:%s" % (seed, name))
        target = out_dir / name
        summary.append((target, *write_csv(target, header, generator(rng, reference))))
    return summary


def check_output(out_dir, overwrite):
    """Refuse an output folder that would change a data package or an existing file.

    :raises InputError: with the reason, unless overwrite is set
    """
    refuse_package_output(out_dir, overwrite)
    if overwrite:
        return
    existing = [name for name in OUTPUTS if (out_dir / name).exists()]
    if existing:
        raise InputError("refusing to replace the existing %s in %s; pass --overwrite to "
                         "replace them" % (", ".join(existing), out_dir))


def _parser():
    parser = builder_parser(
        "build_priority_datasets.py",
        "Write the generated sample tables of datapackages/priority-datasets "
        "(%s; illustrative sample, not official measurements). The same seed "
        "gives byte-identical files. Reference tables are read from %s."
        % (", ".join(OUTPUTS), DATA),
        DATA, "output folder (default: the package's data folder, which needs --overwrite)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED,
                        help="random seed (default %d)" % DEFAULT_SEED)
    parser.add_argument("--overwrite", action="store_true",
                        help="allow writing inside a data package and replacing existing "
                             "output files")
    return parser


def _write_output(args, out_dir):
    check_output(out_dir, args.overwrite)
    out_dir.mkdir(parents=True, exist_ok=True)
    return write(out_dir, args.seed)


def _report(summary, out_dir):
    for path, rows, size, digest in summary:
        print(wrote_rows(rows, path, size, digest))


def main(argv=None):
    return run_builder("build_priority_datasets", _parser(), argv, _write_output, _report)


if __name__ == "__main__":
    sys.exit(main())
