"""PostgreSQL steps of the CKAN container's start-up (docker/ckan/entrypoint).

CKAN's image has psycopg2 but no ``psql``, hence this small helper::

    python3 pg.py wait URL [SECONDS]      wait until URL accepts connections
    python3 pg.py dbname URL              print the database name of URL
    python3 pg.py run-sql URL DBNAME      run the SQL script on stdin in DBNAME,
                                          logged in as URL's user

Exit codes: 0 ok, 1 failure (one line on stderr, never the password), 2 usage.
"""
from __future__ import annotations

import sys
import time

import psycopg2
from psycopg2.extensions import parse_dsn


def _where(url: str) -> str:
    """Say which server and database a URL names, without its password."""
    dsn = parse_dsn(url)
    return "{}@{}:{}/{}".format(
        dsn.get("user", "?"), dsn.get("host", "?"), dsn.get("port", "5432"), dsn.get("dbname", "?")
    )


def wait(url: str, seconds: float = 60) -> int:
    """Return 0 once ``url`` accepts a connection, 1 after ``seconds`` without."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            psycopg2.connect(url, connect_timeout=5).close()
            return 0
        except psycopg2.OperationalError as error:
            if time.monotonic() >= deadline:
                reason = str(error).strip().splitlines()[0] if str(error).strip() else "no answer"
                print(f"pg.py: {_where(url)} did not answer in {seconds:g}s: {reason}",
                      file=sys.stderr)
                return 1
            time.sleep(2)


def run_sql(url: str, dbname: str, script: str) -> int:
    """Run ``script`` in ``dbname`` in one transaction; return 0 or 1."""
    # psql meta-commands (CKAN's script starts with \connect) are not SQL; the
    # connection below already targets the right database.
    sql = "\n".join(line for line in script.splitlines() if not line.lstrip().startswith("\\"))
    if not sql.strip():
        print("pg.py: no SQL on standard input", file=sys.stderr)
        return 1
    try:
        conn = psycopg2.connect(url, dbname=dbname)
    except psycopg2.Error as error:
        print(f"pg.py: cannot connect to {dbname}: {str(error).strip()}", file=sys.stderr)
        return 1
    try:
        with conn, conn.cursor() as cur:
            # No parameters are passed, so '%' in the script is left as it is.
            cur.execute(sql)
    except psycopg2.Error as error:
        print(f"pg.py: SQL failed in {dbname}: {str(error).strip()}", file=sys.stderr)
        return 1
    finally:
        conn.close()
    return 0


def main(argv: list[str]) -> int:
    match argv:
        case ["wait", url]:
            return wait(url)
        case ["wait", url, seconds]:
            return wait(url, float(seconds))
        case ["dbname", url]:
            print(parse_dsn(url)["dbname"])
            return 0
        case ["run-sql", url, dbname]:
            return run_sql(url, dbname, sys.stdin.read())
    print(__doc__.split("::", 1)[1].rstrip().split("\n\nExit")[0], file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
