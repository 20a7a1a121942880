"""Fixtures every data-package test module shares; each module names its package folder
in a module-level ``PACKAGE``."""
import pytest

from .packages import read_descriptor


@pytest.fixture(scope="module")
def descriptor(request):
    """The module's package's ``datapackage.json``, read once per module."""
    return read_descriptor(request.module.PACKAGE)
