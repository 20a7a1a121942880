"""Ensure a local sysadmin and an API token for it (used by scripts/serve).

Usage: python scripts/sysadmin.py CKAN_INI USERNAME TOKEN_FILE

Idempotent: an existing user is kept; the token in TOKEN_FILE is reused while
it still authenticates, otherwise a new one is created and written there. The
password is random and kept next to the token file (``admin-password``).
"""
from __future__ import annotations

import os
import secrets
import sys


def main(argv: list[str]) -> int:
    if len(argv) != 4:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    ini, username, token_file = argv[1:]
    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    app = make_app(load_config(ini))
    with app._wsgi_app.test_request_context():
        return _ensure(username, token_file)


def _ensure(username: str, token_file: str) -> int:
    import ckan.lib.api_token as api_token
    import ckan.plugins.toolkit as tk
    from ckan import model

    context = {"ignore_auth": True, "user": ""}
    password_file = os.path.join(os.path.dirname(token_file), username + "-password")
    user = model.User.get(username)
    if user is None:
        password = secrets.token_urlsafe(16)
        tk.get_action("user_create")(dict(context), {
            "name": username, "email": username + "@localhost.invalid",
            "password": password, "fullname": "Local administrator"})
        _write_secret(password_file, password)
        user = model.User.get(username)
        print("created user", username)
    elif not os.path.exists(password_file):
        # A new checkout against an existing database: nobody knows the
        # password, so give the account a new one and say where it is.
        password = secrets.token_urlsafe(16)
        user.password = password
        model.Session.commit()
        _write_secret(password_file, password)
        print("reset the password of", username, "(see", password_file + ")")
    if not user.sysadmin:
        user.sysadmin = True
        model.Session.commit()
        print("made", username, "a sysadmin")
    if os.path.exists(token_file):
        token = open(token_file).read().strip()
        owner = api_token.get_user_from_token(token) if token else None
        if owner is not None and owner.name == username:
            return 0
    created = tk.get_action("api_token_create")(
        {"ignore_auth": True, "user": username}, {"user": username, "name": "local-serve"})
    _write_secret(token_file, created["token"])
    print("created an API token for", username)
    return 0


def _write_secret(path: str, value: str) -> None:
    with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as f:
        f.write(value + "\n")


if __name__ == "__main__":
    sys.exit(main(sys.argv))
